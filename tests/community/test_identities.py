import pytest
from django.core.exceptions import ValidationError

from community.identities import normalise, website_candidates
from community.models import Network


@pytest.mark.parametrize(
    "value", ["@nick", "nick", "https://twitter.com/nick", "x.com/Nick/", "http://www.x.com/NICK"]
)
def test_x_spellings_are_the_same_identity(value):
    assert normalise(Network.X, value).handle == "nick"
    assert normalise(Network.X, value).url == "https://x.com/nick"


@pytest.mark.parametrize(
    "value",
    [
        "@nick@mastodon.social",
        "nick@mastodon.social",
        "https://mastodon.social/@nick",
        "mastodon.social/@Nick/",
        "https://mastodon.social/users/nick",
    ],
)
def test_mastodon_spellings_are_the_same_identity(value):
    result = normalise(Network.MASTODON, value)
    assert result.handle == "nick@mastodon.social"
    assert result.url == "https://mastodon.social/@nick"


@pytest.mark.parametrize(
    "value",
    [
        "https://www.blog.example/",
        "http://blog.example",
        "blog.example/",
        "www.blog.example",
        "HTTPS://Blog.Example",
    ],
)
def test_blog_spellings_are_the_same_identity(value):
    assert normalise(Network.WEBSITE, value).handle == "blog.example"


def test_blog_keeps_its_path():
    assert normalise(Network.WEBSITE, "https://medium.com/@alice/").handle == "medium.com/@alice"


@pytest.mark.parametrize(
    "value",
    [
        "https://www.linkedin.com/in/l%C3%A9a-dupuis-mar%C3%A9chal-1a2b3c",
        "linkedin.com/in/léa-dupuis-maréchal-1a2b3c/",
        "fr.linkedin.com/in/Léa-Dupuis-Maréchal-1a2b3c",
        "www.linkedin.com/in/l%C3%A9a-dupuis-mar%C3%A9chal-1a2b3c?trk=x",
    ],
)
def test_linkedin_spellings_are_percent_decoded(value):
    assert normalise(Network.LINKEDIN, value).handle == "léa-dupuis-maréchal-1a2b3c"


@pytest.mark.parametrize(
    ("network", "value", "handle"),
    [
        (Network.BLUESKY, "@alice.bsky.social", "alice.bsky.social"),
        (Network.BLUESKY, "https://bsky.app/profile/Alice.bsky.social", "alice.bsky.social"),
        (Network.BLUESKY, "alice", "alice.bsky.social"),
        (Network.FACEBOOK, "https://www.facebook.com/Camille.Delattre/", "camille.delattre"),
        (Network.FACEBOOK, "https://facebook.com/profile.php?id=100012345", "100012345"),
        (Network.VIADEO, "https://fr.viadeo.com/fr/profile/camille.delattre", "camille.delattre"),
        (Network.FLICKR, "https://www.flickr.com/photos/camille59/", "camille59"),
        (Network.FLICKR, "flickr.com/people/Camille59", "camille59"),
    ],
)
def test_other_networks_normalise_sensibly(network, value, handle):
    assert normalise(network, value).handle == handle


@pytest.mark.parametrize(
    ("network", "value"),
    [
        (Network.X, "https://facebook.com/nick"),
        (Network.X, "this handle is far too long for X"),
        (Network.MASTODON, "nick"),
        (Network.MASTODON, "https://mastodon.social/about"),
        (Network.WEBSITE, "ftp://blog.example"),
        (Network.WEBSITE, "not a url"),
        (Network.WEBSITE, "http://[::1"),
        (Network.LINKEDIN, "https://example.com/in/nick"),
        (Network.X, "   "),
        ("myspace", "nick"),
    ],
)
def test_invalid_input_raises_a_validation_error(network, value):
    with pytest.raises(ValidationError):
        normalise(network, value)


def test_feed_url_candidates_walk_up_to_the_site():
    assert website_candidates("https://www.camille.example/feed/") == [
        "camille.example/feed",
        "camille.example",
    ]
