#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/bench/tcptool.py - TCP test and benchmark helper: server and clients
#
# Server (threaded, dual stack unless an address is given):
#   tcptool.py server PORT[,PORT...] [--addr A] [--slow BYTES_PER_S]
# Each connection starts with one command line from the client:
#   SINK [PAUSE]       (wait PAUSE s), read to EOF, answer "<bytes> <sha256>"
#   WAIT ID            read to EOF or error, keep "eof" or "reset" as result ID
#   SOURCE N SEED      send N bytes of stream SEED, close
#   ECHO               echo everything until EOF
#   PEER               answer "<client address> <port> <local port>"
#   RST                read the line, then reset the connection
#   HALFS N ID         send N bytes, shut down writing, read to EOF and keep
#                      "<bytes> <sha256>" as result ID
#   RESULT ID          answer the result kept for ID
# --slow makes SINK read at most BYTES_PER_S (a slow reader).
#
# Clients (exit status 0 on success, one line of output):
#   sink HOST PORT N SEED [--pause S]  send N bytes, check the server's hash
#   source HOST PORT N SEED [--slow BPS] [--pause S]  receive N bytes, check
#   halfc HOST PORT N            half-close: send N, shut down, expect hash
#   halfs HOST PORT N            server shuts down first, we keep sending
#   rst HOST PORT                expect the connection to be reset
#   rstc HOST PORT               reset from our side, the server must see it
#   refused HOST PORT [SECONDS]  expect ECONNREFUSED within SECONDS
#   peer HOST PORT               print the address the server saw
#   concurrent HOST PORT K       K connections open at once, echo on each
#   sequential HOST PORT K       K short connections one after another
#   rr HOST PORT SECONDS [SIZE]  request/response rate (ping-pong)
#   crr HOST PORT SECONDS        connection rate: connect, echo, close
#   throughput HOST PORT SECONDS send|recv   bulk rate, Gbit/s
# --bind ADDR (any client): bind the client socket to ADDR first.
# --sport PORT (any client): and to source port PORT (SO_REUSEADDR).

import hashlib
import os
import socket
import sys
import threading
import time

PATTERN_LEN = 1000003
_patterns = {}


def pattern(seed):
    """Pseudo-random block for a seed; the stream repeats it"""
    p = _patterns.get(seed)
    if p is None:
        import random
        r = random.Random(seed)
        p = r.randbytes(PATTERN_LEN) * 2
        _patterns[seed] = p
    return p


def stream_chunks(n, seed, chunk=1 << 20):
    """Yield memoryviews covering the first n bytes of the stream"""
    p = memoryview(pattern(seed))
    off = 0
    while off < n:
        start = off % PATTERN_LEN
        ln = min(chunk, n - off, PATTERN_LEN)
        yield p[start:start + ln]
        off += ln


def stream_hash(n, seed):
    h = hashlib.sha256()
    for c in stream_chunks(n, seed):
        h.update(c)
    return h.hexdigest()


def readline(s, limit=256):
    buf = b''
    while not buf.endswith(b'\n'):
        c = s.recv(1)
        if not c:
            break
        buf += c
        if len(buf) > limit:
            break
    return buf.decode(errors='replace').strip()


def read_all(s, slow=0):
    h = hashlib.sha256()
    n = 0
    buf = bytearray(1 << 20)
    mv = memoryview(buf)
    t0 = time.monotonic()
    while True:
        want = len(buf)
        if slow:
            want = min(want, max(1, slow // 50))
        r = s.recv_into(mv[:want])
        if not r:
            break
        h.update(mv[:r])
        n += r
        if slow:
            ahead = n / slow - (time.monotonic() - t0)
            if ahead > 0:
                time.sleep(ahead)
    return n, h.hexdigest()


# ---- server

results = {}
results_lock = threading.Lock()


def serve_conn(s, peer, slow):
    try:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        cmd = readline(s).split()
        if not cmd:
            return
        op = cmd[0]
        if op == 'SINK':
            if len(cmd) > 1:
                time.sleep(float(cmd[1]))
            n, h = read_all(s, slow)
            s.sendall(('%d %s\n' % (n, h)).encode())
        elif op == 'SOURCE':
            for c in stream_chunks(int(cmd[1]), int(cmd[2])):
                s.sendall(c)
        elif op == 'ECHO':
            while True:
                d = s.recv(1 << 16)
                if not d:
                    break
                s.sendall(d)
        elif op == 'PEER':
            a = peer[0]
            if a.startswith('::ffff:'):
                a = a[7:]
            s.sendall(('%s %d %d\n' % (a, peer[1],
                                       s.getsockname()[1])).encode())
        elif op == 'WAIT':
            try:
                while s.recv(1 << 16):
                    pass
                r = 'eof'
            except ConnectionResetError:
                r = 'reset'
            with results_lock:
                results[cmd[1]] = r
        elif op == 'RST':
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         b'\x01\x00\x00\x00\x00\x00\x00\x00')
        elif op == 'HALFS':
            for c in stream_chunks(int(cmd[1]), 1):
                s.sendall(c)
            s.shutdown(socket.SHUT_WR)
            r = read_all(s)
            with results_lock:
                results[cmd[2]] = r
        elif op == 'RESULT':
            r = None
            for _ in range(100):
                with results_lock:
                    r = results.pop(cmd[1], None)
                if r:
                    break
                time.sleep(0.05)
            if isinstance(r, tuple):
                r = '%d %s' % r
            s.sendall(((r or 'none') + '\n').encode())
    except OSError:
        pass
    finally:
        s.close()


def server(ports, addr=None, slow=0):
    socks = []
    for port in ports:
        if addr and ':' not in addr:
            ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        else:
            ls = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            ls.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY,
                          1 if addr else 0)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((addr or '::', port))
        ls.listen(1024)
        socks.append(ls)

    def acceptor(ls):
        while True:
            s, peer = ls.accept()
            threading.Thread(target=serve_conn, args=(s, peer, slow),
                             daemon=True).start()

    for ls in socks[1:]:
        threading.Thread(target=acceptor, args=(ls,), daemon=True).start()
    acceptor(socks[0])


# ---- clients

BIND = None
SPORT = 0


def connect(host, port, timeout=30):
    fam = socket.AF_INET6 if ':' in host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    if BIND or SPORT:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((BIND or '', SPORT))
    s.settimeout(timeout)
    s.connect((host, int(port)))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def c_sink(host, port, n, seed, pause=None):
    n, seed = int(n), int(seed)
    s = connect(host, port, 120)
    t0 = time.monotonic()
    s.sendall(b'SINK %s\n' % (pause or '').encode())
    for c in stream_chunks(n, seed):
        s.sendall(c)
    s.shutdown(socket.SHUT_WR)
    reply = readline(s)
    dt = time.monotonic() - t0
    exp = '%d %s' % (n, stream_hash(n, seed))
    ok = reply == exp
    print('sink: %d bytes in %.2f s (%.2f Gbit/s): %s' %
          (n, dt, n * 8 / dt / 1e9, 'ok' if ok else 'MISMATCH ' + reply))
    return ok


def c_source(host, port, n, seed, slow=0, pause=None):
    n, seed = int(n), int(seed)
    s = connect(host, port, 120)
    t0 = time.monotonic()
    s.sendall(('SOURCE %d %d\n' % (n, seed)).encode())
    if pause:
        time.sleep(float(pause))
    got, h = read_all(s, int(slow))
    dt = time.monotonic() - t0
    ok = got == n and h == stream_hash(n, seed)
    print('source: %d bytes in %.2f s (%.2f Gbit/s): %s' %
          (got, dt, got * 8 / dt / 1e9, 'ok' if ok else 'MISMATCH'))
    return ok


def c_halfc(host, port, n):
    # We shut down writing, the server answers on the half-open connection
    return c_sink(host, port, n, 7)


def c_halfs(host, port, n):
    n = int(n)
    rid = '%d-%d' % (os.getpid(), time.monotonic_ns())
    s = connect(host, port)
    s.sendall(('HALFS %d %s\n' % (n, rid)).encode())
    got, h = read_all(s)
    if got != n or h != stream_hash(n, 1):
        print('halfs: server data mismatch')
        return False
    # EOF seen: keep sending on our half
    for c in stream_chunks(n, 2):
        s.sendall(c)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)
    s.close()
    q = connect(host, port)
    q.sendall(('RESULT %s\n' % rid).encode())
    reply = readline(q)
    ok = reply == '%d %s' % (n, stream_hash(n, 2))
    print('halfs: %s' % ('ok' if ok else 'MISMATCH ' + reply))
    return ok


def c_rst(host, port):
    s = connect(host, port)
    s.sendall(b'RST\n')
    try:
        while s.recv(4096):
            pass
    except ConnectionResetError:
        print('rst: connection reset')
        return True
    except OSError as e:
        print('rst: %s' % e)
        return False
    print('rst: clean close, no reset')
    return False


def c_rstc(host, port):
    rid = '%d-%d' % (os.getpid(), time.monotonic_ns())
    s = connect(host, port)
    s.sendall(('WAIT %s\n' % rid).encode())
    s.sendall(b'x' * 1000)
    time.sleep(0.2)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                 b'\x01\x00\x00\x00\x00\x00\x00\x00')
    s.close()
    q = connect(host, port)
    q.sendall(('RESULT %s\n' % rid).encode())
    reply = readline(q)
    print('rstc: server saw %s' % reply)
    return reply == 'reset'


def c_refused(host, port, secs=2):
    t0 = time.monotonic()
    try:
        connect(host, port, float(secs))
    except ConnectionRefusedError:
        dt = time.monotonic() - t0
        print('refused: ECONNREFUSED after %.3f s' % dt)
        return dt < float(secs)
    except OSError as e:
        print('refused: %s' % e)
        return False
    print('refused: connected')
    return False


def c_peer(host, port):
    s = connect(host, port)
    s.sendall(b'PEER\n')
    print(readline(s))
    # The server closes first: its side of the connection ends in TIME-WAIT
    while s.recv(256):
        pass
    return True


def c_concurrent(host, port, k):
    k = int(k)
    socks = []
    for i in range(k):
        s = connect(host, port)
        s.sendall(b'ECHO\n')
        socks.append(s)
    ok = 0
    for i, s in enumerate(socks):
        msg = b'conn %d\n' % i
        s.sendall(msg)
    for i, s in enumerate(socks):
        msg = b'conn %d\n' % i
        got = b''
        while len(got) < len(msg):
            d = s.recv(64)
            if not d:
                break
            got += d
        ok += got == msg
    for s in socks:
        s.close()
    print('concurrent: %d/%d connections echoed' % (ok, k))
    return ok == k


def c_sequential(host, port, k):
    k = int(k)
    t0 = time.monotonic()
    ok = 0
    for i in range(k):
        s = connect(host, port, 10)
        s.sendall(b'ECHO\nx')
        ok += s.recv(1) == b'x'
        s.close()
    dt = time.monotonic() - t0
    print('sequential: %d/%d in %.2f s (%.0f/s)' % (ok, k, dt, k / dt))
    return ok == k


def c_rr(host, port, secs, size=1):
    secs, size = float(secs), int(size)
    s = connect(host, port)
    s.sendall(b'ECHO\n')
    msg = b'x' * size
    n = 0
    lat = []
    end = time.monotonic() + secs
    while True:
        t = time.monotonic()
        if t >= end:
            break
        s.sendall(msg)
        got = 0
        while got < size:
            d = s.recv(size - got)
            if not d:
                print('rr: connection closed')
                return False
            got += len(d)
        lat.append(time.monotonic() - t)
        n += 1
    lat.sort()
    print('rr: %d transactions, %.0f/s, median %.1f us, p99 %.1f us' %
          (n, n / secs, lat[len(lat) // 2] * 1e6,
           lat[int(len(lat) * 0.99)] * 1e6))
    return n > 0


def c_crr(host, port, secs):
    secs = float(secs)
    n = 0
    end = time.monotonic() + secs
    while time.monotonic() < end:
        s = connect(host, port, 10)
        s.sendall(b'ECHO\nx')
        if s.recv(1) != b'x':
            return False
        s.close()
        n += 1
    print('crr: %d connections, %.0f/s' % (n, n / secs))
    return n > 0


def c_throughput(host, port, secs, direction):
    secs = float(secs)
    s = connect(host, port)
    n = 0
    if direction == 'send':
        s.sendall(b'SINK\n')
        buf = memoryview(bytearray(1 << 20))
        t0 = time.monotonic()
        while time.monotonic() - t0 < secs:
            s.sendall(buf)
            n += len(buf)
        s.shutdown(socket.SHUT_WR)
        readline(s)
    else:
        s.sendall(b'SOURCE %d 3\n' % (1 << 40))
        buf = bytearray(1 << 20)
        t0 = time.monotonic()
        while time.monotonic() - t0 < secs:
            r = s.recv_into(buf)
            if not r:
                break
            n += r
    dt = time.monotonic() - t0
    print('throughput: %.2f Gbit/s' % (n * 8 / dt / 1e9))
    return True


def main():
    global BIND, SPORT
    args = sys.argv[1:]
    opts = {}
    rest = []
    i = 0
    while i < len(args):
        if args[i].startswith('--'):
            opts[args[i][2:]] = args[i + 1]
            i += 2
        else:
            rest.append(args[i])
            i += 1
    if not rest:
        print(__doc__ if __doc__ else 'usage: see source')
        return 2
    BIND = opts.get('bind')
    SPORT = int(opts.get('sport', 0))
    cmd, a = rest[0], rest[1:]
    if cmd == 'server':
        server([int(p) for p in a[0].split(',')], opts.get('addr'),
               int(opts.get('slow', 0)))
        return 0
    fn = {
        'sink': c_sink, 'source': c_source, 'halfc': c_halfc,
        'halfs': c_halfs, 'rst': c_rst, 'refused': c_refused,
        'peer': c_peer, 'rstc': c_rstc, 'concurrent': c_concurrent,
        'sequential': c_sequential, 'rr': c_rr, 'crr': c_crr,
        'throughput': c_throughput,
    }.get(cmd)
    if not fn:
        print('unknown command %s' % cmd)
        return 2
    if cmd == 'source':
        a = a + [opts.get('slow', 0), opts.get('pause')]
    if cmd == 'sink':
        a = a + [opts.get('pause')]
    try:
        return 0 if fn(*a) else 1
    except (OSError, socket.timeout) as e:
        print('%s: %s' % (cmd, e))
        return 1


if __name__ == '__main__':
    sys.exit(main())
