"""moto_server, with KMS Sign honouring MessageType=DIGEST.

moto 5.2 ignores MessageType and always hashes the message again (ECDSA over SHA-256(message)).
Real KMS signs a DIGEST message as the digest itself. Wallet signing sends a keccak256 digest with
MessageType=DIGEST, so against unpatched moto the signature recovers to no key at all. This shim
patches exactly that path (pre-hashed ECDSA, digest length checked as KMS does) and then runs the
stock moto_server entry point with the same arguments. Nothing else changes.

Used by test/helpers/moto.ts when startMoto(..., { kmsDigestSigning: true }).
"""
import sys
import threading

from cryptography.hazmat.primitives.asymmetric import ec, utils as asym_utils
from moto.kms import responses as kms_responses
from moto.kms import utils as kms_utils
from moto.kms.exceptions import ValidationException
from moto.server import main

_state = threading.local()
_original_sign_response = kms_responses.KmsResponse.sign
_original_ecdsa_sign = kms_utils.ECDSAPrivateKey.sign


def _sign_response(self):
    _state.digest = self._get_param("MessageType") == "DIGEST"
    try:
        return _original_sign_response(self)
    finally:
        _state.digest = False


def _ecdsa_sign(self, message, signing_algorithm):
    if not getattr(_state, "digest", False):
        return _original_ecdsa_sign(self, message, signing_algorithm)
    kms_utils.validate_signing_algorithm(signing_algorithm, self.valid_signing_algorithms)
    algorithm = self._ECDSAPrivateKey__hash_algorithm(signing_algorithm)
    if len(message) != algorithm.digest_size:
        raise ValidationException(f"Digest is invalid length for algorithm {signing_algorithm}.")
    return self.private_key.sign(message, ec.ECDSA(asym_utils.Prehashed(algorithm)))


kms_responses.KmsResponse.sign = _sign_response
kms_utils.ECDSAPrivateKey.sign = _ecdsa_sign

if __name__ == "__main__":
    main(sys.argv[1:])
