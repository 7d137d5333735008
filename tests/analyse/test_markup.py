from generator.analyse.markup import md_escape, plain_text, render_untrusted


def test_raw_html_and_scripts_are_inert_text():
    html = render_untrusted('<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\nHello')
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Hello" in html


def test_links_restricted_to_http_and_mailto():
    html = render_untrusted("[a](javascript:alert(1)) [b](https://example.com) [c](mailto:x@example.com) "
                            "[d](/relative/page.html) [e](JaVaScRiPt:alert(1))")
    assert 'href="https://example.com"' in html and 'href="mailto:x@example.com"' in html
    assert 'href="javascript' not in html.lower()
    assert html.lower().count("javascript:alert(1)") == 2  # both shown as plain text
    assert "/relative/page.html" not in html and ">d<" not in html and " d " in html
    assert 'rel="nofollow noopener noreferrer"' in html


def test_images_are_never_loaded():
    html = render_untrusted("![logo](https://tracker.example/pixel.gif) text")
    assert "<img" not in html and "tracker.example" not in html
    assert "[image: logo]" in html


def test_template_syntax_is_kept_literally():
    html = render_untrusted("{{ config.site_name }} {% include 'x' %}")
    assert "{{ config.site_name }}" in html
    assert "{% include " in html


def test_html_block_has_no_blank_lines_even_with_code():
    html = render_untrusted("    code line 1\n\n    code line 3\n\npara")
    assert "\n\n" not in html
    assert "code line 1&#10;&#10;code line 3" in html


def test_deep_nesting_is_bounded():
    html = render_untrusted(">" * 5000 + " deep")
    assert html.count("<blockquote>") <= 25


def test_plain_text_and_md_escape():
    assert plain_text("**Bold** and [link](http://x) `code`\n\n- item") == "Bold and link code item"
    escaped = md_escape("[x](javascript:alert(1)) *y* <b>")
    assert "[" not in escaped and "<" not in escaped and "*" not in escaped
