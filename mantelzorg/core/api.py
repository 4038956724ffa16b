from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from mantelzorg.api import errors
from mantelzorg.core import geo
from mantelzorg.core.models import Municipality


class MunicipalitySerializer(serializers.ModelSerializer):
    # Declared, so the OpenAPI document does not depend on the database's integer range.
    population = serializers.IntegerField(min_value=0, read_only=True)

    class Meta:
        model = Municipality
        fields = [
            "code",
            "name",
            "name_everyday",
            "province_code",
            "province_name",
            "population",
            "lat",
            "lon",
        ]


class PlaceSerializer(serializers.Serializer):
    pc4 = serializers.CharField()
    postcode = serializers.CharField()
    municipality = MunicipalitySerializer()
    lat = serializers.FloatField()
    lon = serializers.FloatField()


class PostcodeView(APIView):
    @extend_schema(
        summary="Look up a Dutch postcode",
        description="Turns 5211, 5211AB or '5211 ab' into its PC4 area, gemeente and centroid.",
        parameters=[
            OpenApiParameter("postcode", str, OpenApiParameter.PATH, pattern=geo.POSTCODE_RE.pattern)
        ],
        responses={200: PlaceSerializer, 400: errors.ErrorsSerializer, 404: errors.ErrorsSerializer},
    )
    def get(self, request, postcode):
        try:
            place = geo.resolve_postcode(postcode)
        except geo.PostcodeError as error:
            status = 400 if error.code == "malformed" else 404
            return errors.response([errors.error(error.code, error.message, field="postcode")], status)
        return Response(PlaceSerializer(place).data)


class MunicipalityListView(generics.ListAPIView):
    """All 342 gemeenten of the CBS 2025 indeling (valid 2026). Bron: CBS."""

    serializer_class = MunicipalitySerializer
    queryset = Municipality.objects.all()
    pagination_class = None

    @extend_schema(summary="List the gemeenten")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
