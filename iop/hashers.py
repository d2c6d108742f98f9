"""Password hashing at the parameters OWASP's Password Storage Cheat Sheet recommends.

Argon2id with 19 MiB of memory, two passes and one lane. Django's own Argon2 hasher uses
other figures; because this subclass keeps the algorithm name ``argon2``, a hash made with
other parameters (or by PBKDF2, listed after it in ``PASSWORD_HASHERS``) is verified as
before and rewritten with these on the user's next successful login (``must_update``).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB: 19 MiB
    parallelism = 1
