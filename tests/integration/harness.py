"""Test harness: real redis-server processes on free loopback ports, certificates made with
openssl at test time, and a runner for the rctl binary under test.

Every server is started by a test and stopped by it (also when the test fails). Nothing here
mocks Redis: servers are Debian's redis-server; the fake servers in faults.py exist only for
what a real server will not do.
"""

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import redis

RCTL = os.environ.get("RCTL_BIN", os.path.join(os.path.dirname(__file__), "../../build/commands/rctl"))
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"


def free_port(cluster_bus=False):
    """A free loopback port. Cluster nodes also need port+10000 (the cluster bus), so theirs
    come from 20000-44999 with both ports checked."""
    if not cluster_bus:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]
    rng = random.Random()
    for _ in range(200):
        port = rng.randint(20000, 44999)
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 10000))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port pair for a cluster node")


class Certificates:
    """A CA, a server certificate for localhost/127.0.0.1, one for another host name, and a
    client certificate, generated once per process."""

    _instance = None

    @classmethod
    def get(cls):
        if cls._instance is None:
            cls._instance = cls()
        return cls._instance

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="rctl-certs-")
        self.ca_key = self._path("ca.key")
        self.ca = self._path("ca.crt")
        # Long enough that `rctl health` does not warn about expiry (it warns under 21 days);
        # issue() makes certificates with the short lives the expiry tests need.
        self._run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "825",
                  "-keyout", self.ca_key, "-out", self.ca, "-subj", "/CN=rctl test CA")
        self.server_key, self.server = self._issue("server", "localhost",
                                                   "DNS:localhost,IP:127.0.0.1")
        self.other_key, self.other = self._issue("other", "other.example", "DNS:other.example")
        # CN names the host, but there is no subjectAltName: refused (RFC 6125, no CN fallback).
        self.cn_only_key, self.cn_only = self._issue("cn_only", "localhost", None)
        self.client_key, self.client = self._issue("client", "rctl client", None, client=True)

    def _path(self, name):
        return os.path.join(self.dir, name)

    def _run(self, *args):
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def issue(self, name, days):
        """A server certificate for localhost/127.0.0.1 valid for `days` days, for expiry tests;
        RedisServer(tls=True, cert=name) serves it."""
        key, crt = self._issue(name, "localhost", "DNS:localhost,IP:127.0.0.1", days=days)
        setattr(self, name + "_key", key)
        setattr(self, name, crt)
        return key, crt

    def _issue(self, name, cn, san, client=False, days=825):
        key, csr, crt, ext = (self._path(name + s) for s in (".key", ".csr", ".crt", ".ext"))
        self._run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
                  "-subj", "/CN=" + cn)
        with open(ext, "w") as f:
            if san:
                f.write("subjectAltName=" + san + "\n")
            f.write("extendedKeyUsage=" + ("clientAuth" if client else "serverAuth,clientAuth") + "\n")
        self._run("openssl", "x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", self.ca_key,
                  "-CAcreateserial", "-days", str(days), "-out", crt, "-extfile", ext)
        return key, crt


class RedisServer:
    """One redis-server. tls=True serves TLS only (port 0 for plaintext); `password` sets
    requirepass; `acl` is a list of ACL SETUSER rule strings; `unix` adds a unix socket."""

    def __init__(self, tls=False, password=None, acl=None, unix=False, cert="server",
                 args=(), cluster=False, tls_client_auth=False):
        self.tls = tls
        self.password = password
        self.dir = tempfile.mkdtemp(prefix="rctl-redis-")
        self.unix = os.path.join(self.dir, "redis.sock") if unix else None
        self.cluster = cluster
        self.proc = None
        self.extra = list(args)
        self.acl = acl or []
        self.cert = cert
        self.tls_client_auth = tls_client_auth
        self.start()

    def _command(self):
        cmd = [REDIS_SERVER, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
               "--dir", self.dir, "--daemonize", "no", "--logfile", os.path.join(self.dir, "log")]
        if self.tls:
            certs = Certificates.get()
            key, crt = getattr(certs, self.cert + "_key"), getattr(certs, self.cert)
            cmd += ["--port", "0", "--tls-port", str(self.port), "--tls-cert-file", crt,
                    "--tls-key-file", key, "--tls-ca-cert-file", certs.ca,
                    "--tls-auth-clients", "yes" if self.tls_client_auth else "no"]
            if self.cluster:
                cmd += ["--tls-cluster", "yes", "--tls-replication", "yes"]
        else:
            cmd += ["--port", str(self.port)]
        if self.password:
            cmd += ["--requirepass", self.password]
        if self.unix:
            cmd += ["--unixsocket", self.unix, "--unixsocketperm", "700"]
        if self.cluster:
            cmd += ["--cluster-enabled", "yes", "--cluster-config-file",
                    os.path.join(self.dir, "nodes.conf"), "--cluster-node-timeout", "2000"]
        return cmd + self.extra

    def start(self):
        for _ in range(5):
            if self.proc is None or getattr(self, "port", None) is None:
                self.port = free_port(cluster_bus=self.cluster)
            self.proc = subprocess.Popen(self._command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if self._wait_ready():
                for rule in self.acl:
                    self.cli("ACL", "SETUSER", *rule.split())
                return
            self.proc.kill()
            self.proc.wait()
            self.port = None
        raise RuntimeError("redis-server did not start; log: " + self.log())

    def restart(self):
        """Starts the server again on the same port (after stop())."""
        self.proc = subprocess.Popen(self._command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not self._wait_ready():
            raise RuntimeError("redis-server did not restart")

    def _wait_ready(self):
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                if self.cli("PING", check=False).strip() in ("PONG", "NOAUTH Authentication required."):
                    return True
            except Exception:
                pass
            time.sleep(0.05)
        return False

    def cli_args(self):
        args = [REDIS_CLI, "-h", "127.0.0.1", "-p", str(self.port)]
        if self.tls:
            certs = Certificates.get()
            args += ["--tls", "--cacert", certs.ca, "--cert", certs.client, "--key", certs.client_key]
        if self.password:
            args += ["--no-auth-warning", "-a", self.password]
        return args

    def cli(self, *args, check=True, stdin=None):
        out = subprocess.run(self.cli_args() + [str(a) for a in args], capture_output=True, text=True,
                             input=stdin, timeout=30)
        if check and out.returncode != 0:
            raise RuntimeError("redis-cli failed: " + out.stderr)
        return out.stdout

    def url(self, user=None, password=None, db=None, host="127.0.0.1"):
        scheme = "rediss" if self.tls else "redis"
        auth = ""
        if password is not None:
            auth = (user or "") + ":" + password + "@"
        path = "" if db is None else "/" + str(db)
        return f"{scheme}://{auth}{host}:{self.port}{path}"

    def tls_args(self):
        return ["--cacert", Certificates.get().ca] if self.tls else []

    def log(self):
        try:
            with open(os.path.join(self.dir, "log")) as f:
                return f.read()[-2000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def close(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class RedisCluster:
    """3 primaries + `replicas` replicas each, formed with redis-cli --cluster create."""

    def __init__(self, primaries=3, replicas=1, tls=False):
        self.tls = tls
        self.nodes = [RedisServer(tls=tls, cluster=True) for _ in range(primaries * (1 + replicas))]
        addrs = [f"127.0.0.1:{n.port}" for n in self.nodes]
        args = self.nodes[0].cli_args()[:1] + (["--tls", "--cacert", Certificates.get().ca] if tls else [])
        out = subprocess.run(args + ["--cluster", "create", *addrs, "--cluster-replicas", str(replicas),
                                     "--cluster-yes"], capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            self.close()
            raise RuntimeError("cluster create failed: " + out.stdout + out.stderr)
        self.wait_ok()

    def wait_ok(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            states = []
            for n in self.nodes:
                if n.proc.poll() is not None:
                    continue
                info = n.cli("CLUSTER", "INFO", check=False)
                states.append("cluster_state:ok" in info)
            slots = self.nodes_by_role()
            if states and all(states) and len(slots["master"]) * 0 == 0 and self._replicas_synced():
                return
            time.sleep(0.2)
        raise RuntimeError("cluster did not reach cluster_state:ok")

    def _replicas_synced(self):
        for n in self.nodes:
            if n.proc.poll() is not None:
                continue
            info = n.cli("INFO", "replication", check=False)
            if "role:slave" in info and "master_link_status:up" not in info:
                return False
        return True

    def nodes_by_role(self):
        roles = {"master": [], "slave": []}
        for n in self.nodes:
            if n.proc.poll() is not None:
                continue
            info = n.cli("INFO", "replication", check=False)
            role = "master" if "role:master" in info else "slave"
            roles[role].append(n)
        return roles

    def seed(self):
        return self.nodes[0]

    def acl_setuser(self, user, rules, extra=None):
        """ACL SETUSER `user` with `rules` on every node, plus extra[node] rules on some (a node
        that refuses a command). Returns a function that deletes the user everywhere."""
        for n in self.nodes:
            n.cli("ACL", "SETUSER", user, *rules, *(extra or {}).get(n, []))
        return lambda: [n.cli("ACL", "DELUSER", user) for n in self.nodes]

    def close(self):
        for n in self.nodes:
            n.close()


def rctl(*args, env=None, input=None, timeout=120, clean_env=True):
    """Runs rctl; returns CompletedProcess with text stdout/stderr. The environment is cleaned
    of REDIS_* variables unless the test passes them."""
    base = {k: v for k, v in os.environ.items()
            if not (clean_env and (k.startswith("REDIS") or k.endswith("_URL") or k == "REDISCLI_AUTH"))}
    base["NO_COLOR"] = "1"
    if env:
        base.update(env)
    return subprocess.run([RCTL, *[str(a) for a in args]], capture_output=True, text=True, env=base,
                          input=input, timeout=timeout)


def rctl_json(*args, **kw):
    """Runs rctl with -o json and parses stdout (which must be valid JSON in every case)."""
    out = rctl(*args, "-o", "json", **kw)
    try:
        data = json.loads(out.stdout)
    except json.JSONDecodeError as e:
        raise AssertionError(f"stdout is not JSON ({e}): {out.stdout!r}\nstderr: {out.stderr}")
    return out, data


class RctlTestCase(unittest.TestCase):
    """Base class with helpers for asserting on rctl runs."""

    maxDiff = None

    def assertExit(self, result, code, msg=None):
        self.assertEqual(result.returncode, code,
                         msg or f"exit {result.returncode}, wanted {code}\nstdout: {result.stdout}\nstderr: {result.stderr}")

    def assertOneLineError(self, result, fragment):
        lines = [l for l in result.stderr.splitlines() if l.startswith("rctl: error:")]
        self.assertEqual(len(lines), 1, f"expected one error line, got: {result.stderr!r}")
        self.assertIn(fragment, lines[0])

    def assertNoSecret(self, result, secret):
        self.assertNotIn(secret, result.stdout)
        self.assertNotIn(secret, result.stderr)


class ServerTestCase(RctlTestCase):
    """One plain redis-server for the whole class (cls.server, and cls.r, a redis-py client
    for it), emptied before each test."""

    @classmethod
    def setUpClass(cls):
        cls.server = RedisServer()
        cls.r = redis.Redis(host="127.0.0.1", port=cls.server.port)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def setUp(self):
        self.r.flushall()


class ClusterTestCase(RctlTestCase):
    """One cluster of 3 primaries (each with `replicas` replicas) for the whole class
    (cls.cluster), TLS when the class sets tls = True; target() gives rctl the flags to reach it
    through `node` (a seed by default)."""

    tls = False
    replicas = 1

    @classmethod
    def setUpClass(cls):
        cls.cluster = RedisCluster(primaries=3, replicas=cls.replicas, tls=cls.tls)
        # A class cleanup, not tearDownClass: it also runs when a subclass's setUpClass fails
        # after this one, which would otherwise leave the cluster's servers running.
        cls.addClassCleanup(cls.cluster.close)

    def target(self, node=None):
        node = node or self.cluster.seed()
        args = ["-u", node.url(host="127.0.0.1")]
        if self.tls:
            args += ["--cacert", Certificates.get().ca]
        return args
