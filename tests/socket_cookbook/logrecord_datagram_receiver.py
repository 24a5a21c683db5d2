# A UDP receiver for DatagramHandler in the style of the logging cookbook's TCP receiver
# (logrecord_socket_receiver.py): each datagram is the 4-byte length and the pickle that
# DatagramHandler.makePickle produces; the record goes through makeLogRecord and the logger of
# its name, exactly as the cookbook's handleLogRecord does.

import logging
import logging.handlers
import pickle
import socketserver
import struct


class LogRecordDatagramHandler(socketserver.DatagramRequestHandler):
    """Handler for one datagram: a 4-byte length, then the LogRecord in pickle format."""

    def handle(self):
        data = self.request[0]
        slen = struct.unpack('>L', data[:4])[0]
        obj = pickle.loads(data[4:4 + slen])
        record = logging.makeLogRecord(obj)
        name = self.server.logname if self.server.logname is not None else record.name
        logging.getLogger(name).handle(record)


class LogRecordDatagramReceiver(socketserver.UDPServer):
    """Simple UDP logging receiver suitable for testing.

    One datagram at a time (a threading server would print them out of order), as the TCP
    receiver handles the records of one connection.
    """

    allow_reuse_address = True

    def __init__(self, host='localhost',
                 port=logging.handlers.DEFAULT_UDP_LOGGING_PORT,
                 handler=LogRecordDatagramHandler):
        socketserver.UDPServer.__init__(self, (host, port), handler)
        self.timeout = 1
        self.logname = None
