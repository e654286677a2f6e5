from posts.importers.wpcomments import comment_markdown, read_comment


def values(**changes) -> dict:
    base = {
        "comment_id": "12",
        "comment_author": "  Ada   Lovelace ",
        "comment_author_email": "ada@example.org",
        "comment_author_url": "https://ada.example.org/",
        "comment_date": "2014-03-02 10:00:00",
        "comment_date_gmt": "2014-03-02 09:00:00",
        "comment_content": "Thanks!",
        "comment_approved": "1",
        "comment_type": "",
        "comment_parent": "0",
    }
    return base | changes


def test_a_comments_html_becomes_the_markdown_subset():
    html = (
        'See <a href="https://example.org/x">this</a>, <em>really</em> <b>bold</b> '
        "and <code>a*b</code>.\nNext line.\n\n<blockquote>Quoted words</blockquote>After."
    )
    assert comment_markdown(html) == (
        "See [this](https://example.org/x), *really* **bold** and `a*b`.\\\nNext line.\n\n"
        "> Quoted words\n\nAfter."
    )


def test_hostile_html_in_a_comment_keeps_only_its_words():
    html = (
        '<script>alert(1)</script><a href="javascript:alert(2)">click</a> '
        '<img src=x onerror="alert(3)"><style>p{}</style>1 < 2 and *stars* [x](y)'
    )
    markdown = comment_markdown(html)
    assert "alert" not in markdown and "javascript" not in markdown and "img" not in markdown
    assert markdown == "click 1 \\< 2 and \\*stars\\* \\[x\\](y)"


def test_what_markdown_reads_at_a_line_start_stays_text():
    assert comment_markdown("# not a heading\n\n1. not a list") == (
        "\\# not a heading\n\n1\\. not a list"
    )


def test_a_record_keeps_the_commenter_the_time_and_the_thread():
    comment, why = read_comment(values(comment_parent="7"))
    assert why == ""
    assert comment.key == "wordpress:12" and comment.parent_key == "wordpress:7"
    assert comment.name == "Ada Lovelace" and comment.approved and comment.kind == "comment"
    assert comment.created_at.isoformat() == "2014-03-02T09:00:00+00:00"


def test_spam_and_trash_stay_out_pending_waits_and_pingbacks_are_mentions():
    assert read_comment(values(comment_approved="spam")) == (None, "spam")
    assert read_comment(values(comment_approved="trash")) == (None, "trash")
    assert read_comment(values(comment_approved="post-trashed")) == (None, "trash")
    assert not read_comment(values(comment_approved="0"))[0].approved
    assert read_comment(values(comment_type="pingback"))[0].kind == "mention"
    assert read_comment(values(comment_type="trackback"))[0].kind == "mention"


def test_odd_values_are_left_out_rather_than_stored():
    comment, _ = read_comment(
        values(
            comment_author="",
            comment_author_email="not an address",
            comment_author_url="javascript:alert(1)",
            comment_date_gmt="0000-00-00 00:00:00",
            comment_date="yesterday",
        )
    )
    assert (comment.name, comment.email, comment.website) == ("Anonymous", "", "")
    assert comment.created_at is None
