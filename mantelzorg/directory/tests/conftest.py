import pytest


@pytest.fixture(autouse=True)
def _directory_taxonomies(request):
    """The taxonomies come from data migration 0002; with --nomigrations (or after a
    transactional flush) load them here. Idempotent."""
    names = set(request.fixturenames)
    if not (
        request.node.get_closest_marker("django_db") or names & {"db", "transactional_db", "live_server"}
    ):
        return
    request.getfixturevalue("_reference_data")
    from mantelzorg.directory.models import Taxonomy, TaxonomyTerm
    from mantelzorg.directory.taxonomy import load_taxonomies

    if not TaxonomyTerm.objects.exists():
        load_taxonomies(Taxonomy, TaxonomyTerm)
