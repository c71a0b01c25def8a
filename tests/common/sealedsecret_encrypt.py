"""Seals one value as Bitnami sealed-secrets does, with an implementation that is not kseal's:
the PyPI package aes-gcm-rsa-oaep (sealed-secrets' hybrid RSA-OAEP + AES-GCM framing) on top of
pyca/cryptography. Usage: sealedsecret_encrypt.py CERT.pem LABEL < value  (prints base64)."""
import base64
import sys

from aes_gcm_rsa_oaep import encrypt
from cryptography import x509

cert = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
label = sys.argv[2].encode()
value = sys.stdin.buffer.read()
print(base64.b64encode(encrypt(value, cert.public_key(), label)).decode())
