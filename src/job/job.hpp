#pragma once
// `rctl job`: enqueue, inspect, list, requeue, cancel and empty the jobs of a Python task
// queue the way its own workers and CLI see them, without executing anything they store.
// RQ's key layout, record format and transactions live in job/rq/ (namespace
// rctl::job::rq), Celery's kombu broker and result backend in job/celery/ (namespace
// rctl::job::celery), Sidekiq's keys in job/sidekiq/ (rctl::job::sidekiq); BullMQ would
// get a folder beside them.
// What is not RQ's stays here: Python's text forms (repr.hpp: Python-based queues write
// them), reply helpers (replies.hpp) and the documents (render.hpp).
//
// Domain job (namespace rctl::job, library rctl_job, which also compiles job/rq/): may use
// cluster/, client/, resp/, decode/, util/; output/ only in its render*.cpp files. Never
// commands/ nor another domain: src/CMakeLists.txt links by that table and
// tests/docs/check_layers.py fails on a wrong-way include.
//
// commands/ includes this one header for the whole domain.

#include "job/celery/broker.hpp"
#include "job/celery/bulk.hpp"
#include "job/sidekiq/write.hpp"
#include "job/rq/admin.hpp"
#include "job/rq/args.hpp"
#include "job/rq/bulk.hpp"
#include "job/rq/enqueue.hpp"
#include "job/rq/list.hpp"
#include "job/rq/read.hpp"
#include "job/rq/write.hpp"
