"""moto_server with two fidelity fixes, each switched on by an environment variable.

MOTO_SHIM_KMS_DIGEST=1
    KMS Sign honours MessageType=DIGEST. moto 5.2 ignores MessageType and always hashes the
    message again (ECDSA over SHA-256(message)); real KMS signs a DIGEST message as the digest
    itself. Wallet signing sends a keccak256 digest with MessageType=DIGEST, so against unpatched
    moto the signature recovers to no key at all. Patched: pre-hashed ECDSA, with the digest
    length checked as KMS does.

MOTO_SHIM_ATOMIC_DYNAMODB=1
    Each DynamoDB request runs under one lock. moto_server serves requests on threads and its
    DynamoDB backend takes no lock, so two concurrent conditional writes to one item can both pass
    their condition. Real DynamoDB evaluates a conditional write atomically per item. Requests
    still interleave with each other (a read-then-conditional-write client still races), which is
    what the concurrency tests exercise.

MOTO_SHIM_ROUTE_MEMO=1
    Remember which backend serves each inferred host. moto_server routes every request by
    matching "http://<service>.<region>.amazonaws.com" against every backend's URL patterns in
    turn (about 2-4.5 ms a request on this machine type, under the dispatcher's global lock), and
    the answer for a host never changes while the server runs. Performance only: the same backend
    answers the same request.

Then it runs the stock moto_server entry point with the same arguments. Used by
test/helpers/moto.ts (the shared server, SHARED_MOTO_OPTIONS: kmsDigestSigning / atomicDynamoDb).
"""
import os
import sys
import threading

from moto.server import main

if os.environ.get("MOTO_SHIM_KMS_DIGEST") == "1":
    from cryptography.hazmat.primitives.asymmetric import ec, utils as asym_utils
    from moto.kms import responses as kms_responses
    from moto.kms import utils as kms_utils
    from moto.kms.exceptions import ValidationException

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

if os.environ.get("MOTO_SHIM_ATOMIC_DYNAMODB") == "1":
    from moto.dynamodb import responses as ddb_responses

    _ddb_lock = threading.RLock()
    _original_call_action = ddb_responses.DynamoHandler.call_action

    def _atomic_call_action(self):
        with _ddb_lock:
            return _original_call_action(self)

    ddb_responses.DynamoHandler.call_action = _atomic_call_action

if os.environ.get("MOTO_SHIM_ROUTE_MEMO") == "1":
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    _original_backend_for_host = DomainDispatcherApplication.get_backend_for_host
    _backend_by_host = {}

    def _remembered_backend_for_host(self, host):
        # Called under the dispatcher's lock (get_application), so the dict needs none of its own.
        # The hosts are the inferred "<service>.<region>.amazonaws.com" names: a small, bounded set.
        if host is None:
            return None
        if host not in _backend_by_host:
            _backend_by_host[host] = _original_backend_for_host(self, host)
        return _backend_by_host[host]

    DomainDispatcherApplication.get_backend_for_host = _remembered_backend_for_host

if __name__ == "__main__":
    main(sys.argv[1:])
