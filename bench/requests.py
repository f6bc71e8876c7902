#!/usr/bin/env python3
"""make bench's fixed load for counting instructions: N GET requests, one
after another on one keep-alive connection, each answer read to its end.

    requests.py PORT PATH N
"""
import socket
import sys

port, path, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
s = socket.create_connection(("127.0.0.1", port))
req = ("GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n" % path).encode()
buf = b""
for _ in range(n):
    s.sendall(req)
    while b"\r\n\r\n" not in buf:
        buf += s.recv(65536)
    head, buf = buf.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if not head.startswith(b"HTTP/1.1 200"):
        sys.exit("answer: %r" % head.split(b"\r\n")[0])
    while len(buf) < length:
        buf += s.recv(65536)
    buf = buf[length:]
s.close()
