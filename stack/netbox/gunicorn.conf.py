# gunicorn settings for the local NetBox (stack/netbox.sh passes bind, pid and log paths).
# Importing NetBox costs about 10 s of CPU: import it once in the master (preload) instead
# of once per worker; this halves the start time on a 2-core machine.
preload_app = True
workers = 2
threads = 4
timeout = 300
# Stops in a few seconds instead of the 30 s default (nothing here needs draining).
graceful_timeout = 5


def post_fork(server, worker):
    # Never share a database or Redis socket opened during preload with the workers.
    from django.core.cache import caches
    from django.db import connections

    connections.close_all()
    for cache in caches.all(initialized_only=True):
        cache.close()
