"""Scripted fake servers for what a real Redis will not do: stall, close mid-reply, send
malformed or oversized replies. Each connection is handled by a script function that gets a
Peer (read commands, send raw bytes)."""

import socket
import threading

from harness import free_port


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

    def close(self):
        self.stopped = True
        try:
            self.sock.close()
        except OSError:
            pass
        for c in self.connections:
            try:
                c.close()
            except OSError:
                pass


def silent(peer):
    """Accepts and reads forever, never answers."""
    while True:
        peer._fill()


def unused_port():
    """A loopback port with nothing listening."""
    return free_port()
