"""Django's URLs (settings.ROOT_URLCONF): the staff admin under /admin (central.staff), the CMS
under /cms/ (central.cms) and, everywhere else, the device API and open data (central.api, a
Django Ninja API, with /openapi.json). central.asgi sends /admin and /cms through the staff
site's middleware and the rest straight to the API's views."""

from django.urls import path

from central.api import api, not_found, server_error
from central.cms.urls import urlpatterns as cms_urlpatterns
from central.staff import urlpatterns as staff_urlpatterns

# The API first: most requests are its, and none of its paths is under admin/ or cms/.
urlpatterns = [path("", api.urls), *staff_urlpatterns, *cms_urlpatterns]
handler404 = not_found
handler500 = server_error
