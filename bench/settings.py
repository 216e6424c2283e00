"""Production settings for benchmarks served over plain HTTP on loopback.

``DJANGO_ENV=production`` as deployed (DEBUG off, cached templates, manifest static files, the same
middleware and sessions), minus what needs TLS in front: secure-only cookies, the HTTPS redirect and
HSTS. Passwords use a fast hash so that signing in 50 authors doesn't dominate the set-up; no
measured request checks a password.
"""

import os

os.environ.setdefault("DJANGO_ENV", "production")
# Fixed, so that every gunicorn worker and the benchmark itself agree; only ever used on loopback.
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-7Hq2ZpL9xWc4Rt8Vn1Kd6Jm3Ys5Fb0Ga-secret")
os.environ.setdefault("PORTAL_SECRETS_KEY", "bench-Qw3Er5Ty7Ui9Op1As2Df4Gh6Jk8Lz0Xc-secrets")
os.environ.setdefault("PORTAL_AUDIT_KEY", "bench-Mn1Bv2Cx3Za4Sd5Fg6Hj7Kl8Po9Iu0Yt-audit")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")

from portal.settings import *  # noqa: E402,F403

ROOT_URLCONF = "bench.urls"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SECURE_SSL_REDIRECT = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
    # Hashed names as in production; compressing every file first would only slow the set-up.
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
