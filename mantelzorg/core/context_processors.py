from django.conf import settings


def site(request):
    return {"DEMO_DATA": settings.DEMO_DATA, "SITE_URL": settings.SITE_URL}
