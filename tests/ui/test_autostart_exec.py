from capdesk.ui.autostart import desktop_entry, exec_line


def test_exec_line_quotes_per_the_desktop_entry_spec() -> None:
    assert exec_line(["/opt/capdesk/capdesk"]) == "/opt/capdesk/capdesk"
    assert exec_line(["/home/a b/capdesk", "--x"]) == '"/home/a b/capdesk" --x'
    assert exec_line(['/p/we"ird$']) == '"/p/we\\"ird\\$"'
    assert "Exec=\"/home/a b/capdesk\"" in desktop_entry(["/home/a b/capdesk"])
