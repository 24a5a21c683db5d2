# The client of Python's logging cookbook ("Configuration server example",
# Doc/howto/logging-cookbook.rst) that sends a file to logging.config.listen(): a 4-byte
# big-endian length, then the file. Unchanged but for PORT, which the test passes as the second
# argument instead of the cookbook's fixed 9999. Code in the Python documentation is dual
# licensed under the PSF License Version 2 and the Zero-Clause BSD license.
#!/usr/bin/env python
import socket, sys, struct

with open(sys.argv[1], 'rb') as f:
    data_to_send = f.read()

HOST = 'localhost'
PORT = int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
print('connecting...')
s.connect((HOST, PORT))
print('sending config...')
s.send(struct.pack('>L', len(data_to_send)))
s.send(data_to_send)
s.close()
print('complete')
