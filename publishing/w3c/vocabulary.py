"""What the Web Annotation Data Model and Protocol fix: contexts, media type, IRIs, headers."""

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
LDP_CONTEXT = "http://www.w3.org/ns/ldp.jsonld"
MEDIA_TYPE = f'application/ld+json; profile="{ANNO_CONTEXT}"'

LDP_BASIC_CONTAINER = "http://www.w3.org/ns/ldp#BasicContainer"
LDP_RESOURCE = "http://www.w3.org/ns/ldp#Resource"
LDP_CONSTRAINED_BY = "http://www.w3.org/ns/ldp#constrainedBy"
OA_ANNOTATION = "http://www.w3.org/ns/oa#Annotation"
PROTOCOL = "http://www.w3.org/TR/annotation-protocol/"

# The container representation preferences (Protocol 4.2.1), sent as
# `Prefer: return=representation;include="<IRI> <IRI>"`.
PREFER_MINIMAL_CONTAINER = "http://www.w3.org/ns/ldp#PreferMinimalContainer"
PREFER_CONTAINED_IRIS = "http://www.w3.org/ns/oa#PreferContainedIRIs"
PREFER_CONTAINED_DESCRIPTIONS = "http://www.w3.org/ns/oa#PreferContainedDescriptions"

# Read-only: writes are answered 405 with this list.
ALLOW = "GET, HEAD, OPTIONS"
CONTAINER_LINK = f'<{LDP_BASIC_CONTAINER}>; rel="type", <{PROTOCOL}>; rel="{LDP_CONSTRAINED_BY}"'
ANNOTATION_LINK = f'<{LDP_RESOURCE}>; rel="type", <{OA_ANNOTATION}>; rel="type"'
