"""A resource server as its developer writes it with PyJWT, knowing only hexauth's metadata URL.

Usage: /usr/bin/python3 pyjwt_resource_server.py <metadata URL> <audience> <algorithms, comma-separated>

It reads the RFC 8414 metadata, takes jwks_uri from it and verifies tokens with PyJWKClient,
whose JWK Set cache (300 s, PyJWT's default) is what real deployments have. It reads one token
per line on standard input and answers one JSON line per token on standard output:
{"ok": true, "kid": ..., "claims": {...}} or {"ok": false, "error": "..."}.
"""
import json
import sys
import urllib.request

import jwt
from jwt import PyJWKClient

metadata_url, audience, algorithms = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
with urllib.request.urlopen(metadata_url) as response:
    metadata = json.load(response)
client = PyJWKClient(metadata["jwks_uri"])
print(json.dumps({"ready": True, "issuer": metadata["issuer"], "jwks_uri": metadata["jwks_uri"], "pyjwt": jwt.__version__}), flush=True)

for line in sys.stdin:
    token = line.strip()
    try:
        signing_key = client.get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token, signing_key.key, algorithms=algorithms, audience=audience, issuer=metadata["issuer"],
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
        )
        print(json.dumps({"ok": True, "kid": signing_key.key_id, "claims": claims}), flush=True)
    except Exception as error:  # the resource server answers 401; the test reads why
        print(json.dumps({"ok": False, "error": f"{type(error).__name__}: {error}"}), flush=True)
