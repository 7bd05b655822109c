"""Credential checks of SEMOSS's UserAccessKeyFilter (Basic and Bearer)."""

import base64
import binascii
import hmac

from .javacompat import java_split_no_trailing
from .sessions import Login


class InvalidBase64Error(ValueError):
    """java.util.Base64 rejected the Basic value; Tomcat answers 500."""


def login_from_authorization(header_value, bearer_provider, config):
    """Return a Login for a valid Authorization header, or None.

    Basic: the decoded "ak:sk" must split on ':' into exactly 2 parts (Java
    split, trailing empty parts dropped).  Bearer: the token must be
    configured for the provider named by Bearer-Provider (case-insensitive),
    which may be omitted when exactly one provider is configured.
    """
    if header_value.startswith(("Bearer", "bearer")):
        return _bearer_login(header_value[len("Bearer"):].strip(), bearer_provider, config)
    if header_value.startswith(("Basic", "basic")):
        return _basic_login(header_value[len("basic"):].strip(), config)
    return None


def _basic_login(encoded, config):
    """Validate an access/secret key pair."""
    user_pass = _java_base64_decode(encoded).decode("utf-8", "replace")
    if not user_pass:
        return None
    parts = java_split_no_trailing(user_pass, ":")
    if len(parts) != 2:
        return None
    access_key, secret_key = parts
    for user in config.users:
        if user.access_key is None or user.secret_key is None:
            continue
        if _same(user.access_key, access_key) and _same(user.secret_key, secret_key):
            return Login(user, user.provider)
    return None


def _java_base64_decode(encoded):
    """Decode like java.util.Base64.getDecoder(): strict alphabet, padding optional."""
    if any(char not in _BASE64_ALPHABET for char in encoded.rstrip("=")) or \
            len(encoded) % 4 == 1:
        raise InvalidBase64Error("Illegal base64 character")
    try:
        return base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except binascii.Error:
        raise InvalidBase64Error("Illegal base64 character") from None


_BASE64_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def _bearer_login(token, provider_header, config):
    """Validate a bearer token for a provider."""
    providers = {entry.provider.lower() for entry in config.bearer_tokens}
    if provider_header is None:
        if len(providers) != 1:
            return None
        provider = next(iter(providers))
    else:
        provider = provider_header.lower()
    if provider not in providers:
        return None
    for entry in config.bearer_tokens:
        if entry.provider.lower() == provider and _same(entry.token, token):
            return Login(config.user_by_id(entry.user), provider.upper())
    return None


def _same(expected, given):
    """Constant-time comparison of two texts."""
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))
