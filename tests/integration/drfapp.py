#!/usr/bin/env python3
"""drfapp.py - a one-file Django REST Framework API for realsrv.sh.

One model, Item(id, name, updated_at), in an SQLite database, listed at
/items/ by a ModelViewSet with LimitOffsetPagination ({"count", "next",
"previous", "results"}: the drf profile's shape), django-filter's
updated_at__gte (and name, exact) and OrderingFilter on id, as NetBox
does; /pitems/ lists the same with PageNumberPagination (page=,
page_size=; a page past the end is 404 {"detail": "Invalid page."}).
Writes through the API stamp updated_at with the server's clock.

  drfapp.py serve DB PORTFILE   serve on 127.0.0.1, a port the kernel
                                picks, written to PORTFILE once listening
  drfapp.py seed DB N           a new database of N items
  drfapp.py mutate DB SEED K=N...   change it as a nightly dataset
                                changes (see mutate() below)
  drfapp.py dump DB             every item, one JSON line each, as the
                                API writes it (the ground truth)
"""
import os
import random
import sys

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["127.0.0.1", "localhost"],
    SECRET_KEY="realsrv.sh: a test server on loopback only",
    ROOT_URLCONF=__name__,
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3",
                           "NAME": sys.argv[2] if len(sys.argv) > 2 else ":memory:",
                           "OPTIONS": {"timeout": 20}}},
    USE_TZ=True,
    # The zone DRF writes times in (USE_TZ: stored in UTC); NetBox and
    # others are often set to their site's.
    TIME_ZONE=os.environ.get("DRFAPP_TZ", "UTC"),
    INSTALLED_APPS=["rest_framework", "django_filters"],
    MIDDLEWARE=[],
    LOGGING_CONFIG=None,
    REST_FRAMEWORK={
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
        "DEFAULT_AUTHENTICATION_CLASSES": [],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
        "UNAUTHENTICATED_USER": None,
    },
)
django.setup()

# pylint: disable=wrong-import-position
import datetime  # noqa: E402

from django.db import connection, models  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_filters.rest_framework import DjangoFilterBackend  # noqa: E402
from rest_framework import filters, pagination, routers  # noqa: E402
from rest_framework import serializers, viewsets  # noqa: E402


class Item(models.Model):
    name = models.CharField(max_length=100)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        app_label = "realsrv"
        ordering = ["id"]


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = Item
        fields = ["id", "name", "updated_at"]
        read_only_fields = ["updated_at"]


class ItemViewSet(viewsets.ModelViewSet):
    queryset = Item.objects.all()
    serializer_class = ItemSerializer
    pagination_class = pagination.LimitOffsetPagination
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    filterset_fields = {"updated_at": ["gte"], "name": ["exact"]}
    ordering_fields = ["id"]

    def perform_update(self, serializer):
        serializer.save(updated_at=timezone.now())


class PageSize(pagination.PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"


class PagedItemViewSet(ItemViewSet):
    pagination_class = PageSize


router = routers.SimpleRouter()
router.register("items", ItemViewSet)
router.register("pitems", PagedItemViewSet, basename="pitem")
urlpatterns = [path("", include(router.urls))]

T0 = datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)


def seed(n):
    """n items over the first hour of 2026-12-01, microseconds and all,
    some sharing an instant; the last one on a whole second (DRF writes it
    without a fraction: the bookmark's text is then ...:00Z)."""
    with connection.schema_editor() as editor:
        editor.create_model(Item)
    rnd = random.Random(n)
    rows = []
    for i in range(1, n + 1):
        us = rnd.randrange(3600 * 10**6 - 10**6)
        if i % 50 == 0:
            us = us // 10**6 * 10**6
        rows.append(Item(id=i, name="item-%d" % i,
                         updated_at=T0 + datetime.timedelta(microseconds=us)))
    rows[-1].updated_at = T0 + datetime.timedelta(hours=1)
    Item.objects.bulk_create(rows, batch_size=500)


def mutate(rnd, spec):
    """spec: insert=N (new items), update=N (a new name and a later time),
    same=N (updated at the latest updated_at there is, to the microsecond:
    the bookmark's own instant), second=N (later in the bookmark's own
    second), late=N (5 minutes before it: a late commit), delete=N.
    The clock: updates are stamped a second after the latest there is."""
    latest = Item.objects.order_by("-updated_at")[0].updated_at
    ids = list(Item.objects.values_list("id", flat=True))
    later = latest + datetime.timedelta(seconds=1, microseconds=rnd.randrange(10**6))
    in_second = latest.replace(microsecond=0)
    for what, n in spec:
        if what == "insert":
            top = max(ids)
            for k in range(1, n + 1):
                Item.objects.create(id=top + k, name="new-%d" % (top + k),
                                    updated_at=later)
                ids.append(top + k)
            continue
        chosen = rnd.sample(ids, n)
        if what == "delete":
            Item.objects.filter(id__in=chosen).delete()
            ids = [i for i in ids if i not in set(chosen)]
            continue
        for i in chosen:
            if what == "update":
                t = later
            elif what == "same":
                t = latest
            elif what == "second":
                t = in_second + datetime.timedelta(
                    microseconds=rnd.randrange(latest.microsecond, 10**6))
            elif what == "late":
                t = latest - datetime.timedelta(minutes=5)
            else:
                sys.exit("drfapp.py: no such change: " + what)
            Item.objects.filter(id=i).update(name="v%d-%d" % (rnd.randrange(10**6), i),
                                             updated_at=t)


def serve(portfile):
    # Django's runserver, as django.core.servers.basehttp.run() starts it,
    # on port 0: the port is known once the socket is bound, so no other
    # process can take it between a pick and the bind.
    import socketserver
    from django.core.servers import basehttp
    from django.core.wsgi import get_wsgi_application

    httpd_class = type("WSGIServer", (socketserver.ThreadingMixIn, basehttp.WSGIServer), {})
    httpd = httpd_class(("127.0.0.1", 0), basehttp.WSGIRequestHandler, ipv6=False)
    httpd.daemon_threads = True
    httpd.set_app(get_wsgi_application())
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % httpd.server_address[1])
    os.rename(portfile + ".tmp", portfile)
    httpd.serve_forever()


def dump():
    out = [bytes(renderer.render(d)).decode() + "\n"
           for d in ItemSerializer(Item.objects.all(), many=True).data]
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    from rest_framework.renderers import JSONRenderer
    renderer = JSONRenderer()
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "serve" and len(sys.argv) == 4:
        serve(sys.argv[3])
    elif cmd == "seed" and len(sys.argv) == 4:
        seed(int(sys.argv[3]))
    elif cmd == "mutate" and len(sys.argv) >= 4:
        # One transaction: the night's changes at once, and one fsync.
        from django.db import transaction
        with transaction.atomic():
            mutate(random.Random(int(sys.argv[3])),
                   [(a.split("=")[0], int(a.split("=")[1])) for a in sys.argv[4:]])
    elif cmd == "dump" and len(sys.argv) == 3:
        dump()
    else:
        sys.exit(__doc__)
