"""Request bodies the API refuses unknown members of: ``additionalProperties: false`` in the schema.

Decorate the request serializer of a view that answers an unknown member with the shared 400
(``unknown_field``), so the committed OpenAPI says so and a client (or the fuzzer) is not told
that extra members are accepted."""

from drf_spectacular.extensions import OpenApiSerializerExtension


class _Closed(OpenApiSerializerExtension):
    """The base; ``closed`` makes one subclass per serializer (its ``target_class``)."""

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        return {**schema, "additionalProperties": False}


def closed(serializer_class):
    """Class decorator: the serializer's schema gets ``additionalProperties: false``."""
    type(f"{serializer_class.__name__}Closed", (_Closed,), {"target_class": serializer_class})
    return serializer_class
