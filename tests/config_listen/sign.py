"""Signs a configuration for a listener whose verify checks an HMAC, as a sender would:

    python3 sign.py KEY IN_FILE OUT_FILE

OUT_FILE is the HMAC-SHA256 of IN_FILE's bytes under KEY (32 raw bytes), then those bytes.
send_config.py then sends OUT_FILE unchanged.
"""

import hashlib
import hmac
import sys

key, source, target = sys.argv[1].encode(), sys.argv[2], sys.argv[3]
with open(source, "rb") as f:
    data = f.read()
with open(target, "wb") as f:
    f.write(hmac.new(key, data, hashlib.sha256).digest() + data)
