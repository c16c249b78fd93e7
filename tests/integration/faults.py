"""Fault injection for what a real Redis will not do on its own.

- FakeServer: a scripted server. Each connection is handled by a script function that gets
  a Peer (read commands, send raw bytes): malformed, oversized or split replies, LOADING,
  BUSY, MOVED/ASK loops, CLUSTERDOWN.
- fake_redis(): a script that speaks enough Redis (handshake, INFO, PING) for rctl to get to
  the command under test, then hands every other command to the test's handler.
- FakeCluster: fake cluster nodes (INFO cluster, CLUSTER SHARDS) whose other commands the
  test scripts, for redirect loops and CLUSTERDOWN.
- Proxy: a loopback proxy in front of a real redis-server that relays one command and one
  reply at a time and can stall, close mid-reply, reset after the command reached the
  server, or dribble replies byte by byte. It records every command it relayed.
"""

import socket
import struct
import threading
import time

from harness import free_port


def close_quietly(*sockets):
    """Closes each socket, ignoring the errors of one already closed or reset."""
    for sock in sockets:
        try:
            sock.close()
        except OSError:
            pass


class Peer:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        self.buf += data

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read_command(self):
        """Reads one RESP array of bulk strings; returns a list of bytes."""
        head = self._line()
        if not head.startswith(b"*"):
            return head.split()
        args = []
        for _ in range(int(head[1:])):
            n = int(self._line()[1:])
            while len(self.buf) < n + 2:
                self._fill()
            args.append(self.buf[:n])
            self.buf = self.buf[n + 2:]
        return args

    def send(self, data):
        self.sock.sendall(data)


def resp2_handshake(peer):
    """Answers HELLO with an unknown-command error (forcing RESP2) and acknowledges
    CLIENT SETNAME / SELECT. Returns the first other command."""
    while True:
        cmd = peer.read_command()
        name = cmd[0].upper() if cmd else b""
        if name == b"HELLO":
            peer.send(b"-ERR unknown command 'HELLO'\r\n")
        elif name in (b"CLIENT", b"SELECT", b"AUTH"):
            peer.send(b"+OK\r\n")
        else:
            return cmd


class FakeServer:
    def __init__(self, script):
        self.script = script
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.sock.listen(16)
        self.connections = []
        self.stopped = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        try:
            self.script(Peer(conn))
        except (EOFError, OSError):
            pass
        finally:
            # A script that returns (or raises EOFError) ends the connection with a FIN.
            try:
                conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            except OSError:
                pass

    def close(self):
        self.stopped = True
        close_quietly(self.sock, *self.connections)


def silent(peer):
    """Accepts and reads forever, never answers."""
    while True:
        peer._fill()


def unused_port():
    """A loopback port with nothing listening."""
    return free_port()


# --- RESP encoding and reading ---------------------------------------------------------------

class Simple(str):
    """A RESP simple string (+OK)."""


class Err(str):
    """A RESP error reply (-ERR ...)."""


def enc(value):
    """RESP2 encoding of Python values: bytes/str -> bulk, int -> integer, list -> array,
    None -> null bulk, Simple -> +, Err -> -."""
    if isinstance(value, Simple):
        return b"+" + value.encode() + b"\r\n"
    if isinstance(value, Err):
        return b"-" + value.encode() + b"\r\n"
    if value is None:
        return b"$-1\r\n"
    if isinstance(value, bool):
        return b":%d\r\n" % int(value)
    if isinstance(value, int):
        return b":%d\r\n" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"$%d\r\n%s\r\n" % (len(value), value)
    if isinstance(value, (list, tuple)):
        return b"*%d\r\n" % len(value) + b"".join(enc(v) for v in value)
    raise TypeError(type(value))


def reply_length(buf):
    """Length of the first complete RESP2/RESP3 value in `buf`, or None if incomplete."""
    def line_end(pos):
        end = buf.find(b"\r\n", pos)
        return None if end < 0 else end

    def value(pos):
        if pos >= len(buf):
            return None
        kind = buf[pos:pos + 1]
        end = line_end(pos)
        if end is None:
            return None
        head = buf[pos + 1:end]
        after = end + 2
        if kind in b"+-:_,#(":
            return after
        if kind in b"$!=":
            n = int(head)
            if n < 0:
                return after
            return after + n + 2 if len(buf) >= after + n + 2 else None
        if kind in b"*~>%|":
            n = int(head)
            count = 2 * n if kind in b"%|" else max(n, 0)
            for _ in range(count):
                after = value(after)
                if after is None:
                    return None
            return value(after) if kind == b"|" else after
        raise ValueError("not RESP: %r" % buf[pos:pos + 20])

    return value(0)


def info_text(fields, section="Server"):
    """An INFO reply body from a dict."""
    lines = ["# " + section] + [f"{k}:{v}" for k, v in fields.items()]
    return ("\r\n".join(lines) + "\r\n").encode()


# --- scripted servers ------------------------------------------------------------------------

def fake_redis(handler, info=None, own=()):
    """A FakeServer script: answers HELLO with an unknown-command error (so rctl speaks RESP2),
    CLIENT/SELECT/AUTH with +OK, INFO with `info` (standalone, no cluster) and PING with
    +PONG; every other command, and those named in `own`, goes to handler(command, peer),
    which sends the reply (or nothing). `command` is a list of bytes; its first element is
    upper-cased."""
    body = info or info_text({"redis_version": "7.0.15", "redis_mode": "standalone", "role": "master",
                              "cluster_enabled": "0", "used_memory": "1000000", "maxmemory": "0"})

    def script(peer):
        while True:
            cmd = peer.read_command()
            if not cmd:
                continue
            cmd[0] = cmd[0].upper()
            name = cmd[0]
            if name in own:
                handler(cmd, peer)
            elif name == b"HELLO":
                peer.send(b"-ERR unknown command 'HELLO'\r\n")
            elif name in (b"CLIENT", b"SELECT", b"AUTH"):
                peer.send(b"+OK\r\n")
            elif name == b"INFO":
                peer.send(enc(body))
            elif name == b"PING":
                peer.send(b"+PONG\r\n")
            else:
                handler(cmd, peer)
    return script


class CountingHandler:
    """A fake_redis handler that records commands and answers each with `reply(cmd, n)`,
    where n counts that command's arrivals (0 for the first)."""

    def __init__(self, reply):
        self.reply = reply
        self.seen = []
        self.lock = threading.Lock()

    def __call__(self, cmd, peer):
        with self.lock:
            n = sum(1 for c in self.seen if c[0] == cmd[0])
            self.seen.append(cmd)
        data = self.reply(cmd, n)
        if data is None:
            raise EOFError  # close the connection
        peer.send(data)

    def count(self, name):
        with self.lock:
            return sum(1 for c in self.seen if c[0] == name)


class FakeCluster:
    """`size` fake cluster nodes on loopback. Node 0 serves every slot in CLUSTER SHARDS;
    every command other than the handshake, INFO and CLUSTER goes to
    handler(node_index, command, peer). `shards_calls` counts topology reads."""

    def __init__(self, handler, size=2):
        self.handler = handler
        self.shards_calls = 0
        self.seen = []  # (node index, command)
        self.lock = threading.Lock()
        self.servers = [FakeServer(self._script(i)) for i in range(size)]
        self.ports = [s.port for s in self.servers]

    def _shards(self):
        shards = []
        for i, port in enumerate(self.ports):
            node = [b"id", ("%040x" % (i + 1)).encode(), b"port", port, b"ip", b"127.0.0.1",
                    b"endpoint", b"127.0.0.1", b"role", b"master", b"replication-offset", 0,
                    b"health", b"online"]
            slots = [0, 16383] if i == 0 else []
            shards.append([b"slots", slots, b"nodes", [node]])
        return shards

    def _script(self, index):
        info = info_text({"redis_version": "7.0.15", "redis_mode": "cluster", "role": "master",
                          "cluster_enabled": "1"})

        def script(peer):
            while True:
                cmd = peer.read_command()
                cmd[0] = cmd[0].upper()
                name = cmd[0]
                if name == b"HELLO":
                    peer.send(b"-ERR unknown command 'HELLO'\r\n")
                elif name in (b"CLIENT", b"SELECT", b"AUTH", b"READONLY"):
                    peer.send(b"+OK\r\n")
                elif name == b"INFO":
                    peer.send(enc(info))
                elif name == b"PING":
                    peer.send(b"+PONG\r\n")
                elif name == b"CLUSTER" and cmd[1].upper() == b"SHARDS":
                    with self.lock:
                        self.shards_calls += 1
                    peer.send(enc(self._shards()))
                elif name == b"CLUSTER" and cmd[1].upper() == b"INFO":
                    peer.send(enc(b"cluster_state:ok\r\ncluster_slots_assigned:16384\r\n"))
                else:
                    with self.lock:
                        self.seen.append((index, cmd))
                    self.handler(index, cmd, peer)
        return script

    def commands(self, name):
        with self.lock:
            return [(i, c) for i, c in self.seen if c[0] == name]

    def close(self):
        for s in self.servers:
            s.close()


def reset(sock):
    """Closes `sock` with a TCP RST instead of a FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    except OSError:
        pass


# --- proxy in front of a real server ---------------------------------------------------------

class Proxy:
    """Loopback proxy to a real redis-server on `upstream_port`. Commands are relayed one at a
    time, each with its whole reply, so a fault can hit exactly one command:

      fault(command, nth) -> None | "stall" | "close_mid_reply" | "reset_after_write" | "slow"

    is asked for every command (a list of bytes, name upper-cased; nth counts earlier
    arrivals of the same command name, from 0):
      stall              the command reaches the server; its reply is never relayed
      close_mid_reply    half of the reply is relayed, then the connection is closed (FIN)
      reset_after_write  the command reaches the server and its reply arrives at the proxy,
                         then the client's connection is reset (RST) and the reply dropped
      slow               the reply is relayed one byte per write
    `relayed` lists every command that reached the server, in order."""

    def __init__(self, upstream_port, fault=None):
        self.upstream_port = upstream_port
        self.fault = fault or (lambda cmd, nth: None)
        self.relayed = []
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.sock.listen(64)
        self.sockets = []
        self.stopped = False
        self.stalled = threading.Event()  # set when a command was stalled
        threading.Thread(target=self._accept, daemon=True).start()

    def count(self, name):
        with self.lock:
            return sum(1 for c in self.relayed if c[0] == name)

    def relayed_commands(self, name):
        """Every relayed command named `name`, in order (each a list of bytes)."""
        with self.lock:
            return [list(c) for c in self.relayed if c[0] == name]

    def _accept(self):
        while not self.stopped:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.sockets.append(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        self.sockets.append(upstream)
        peer = Peer(client)
        pending = b""
        try:
            while True:
                cmd = peer.read_command()
                cmd[0] = cmd[0].upper()
                with self.lock:
                    nth = sum(1 for c in self.relayed if c[0] == cmd[0])
                    self.relayed.append(cmd)
                action = self.fault(cmd, nth)
                upstream.sendall(enc(cmd))
                while reply_length(pending) is None:
                    data = upstream.recv(65536)
                    if not data:
                        raise EOFError
                    pending += data
                n = reply_length(pending)
                reply, pending = pending[:n], pending[n:]
                if action == "stall":
                    self.stalled.set()
                    while not self.stopped:
                        time.sleep(0.05)
                    return
                if action == "reset_after_write":
                    reset(client)
                    return
                if action == "close_mid_reply":
                    client.sendall(reply[:max(1, len(reply) // 2)])
                    client.shutdown(socket.SHUT_RDWR)
                    client.close()
                    return
                if action == "slow":
                    for i in range(len(reply)):
                        client.sendall(reply[i:i + 1])
                        time.sleep(0.0005)
                else:
                    client.sendall(reply)
        except (EOFError, OSError, ValueError):
            pass
        finally:
            close_quietly(client, upstream)

    def close(self):
        self.stopped = True
        close_quietly(self.sock, *self.sockets)
