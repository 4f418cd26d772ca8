from forum.services import reading


def test_home_lists_a_new_thread(client, make):
    thread = make.make_thread(title="Printer will not print in colour")
    response = client.get("/")
    assert response.status_code == 200
    assert thread.title in response.get_data(as_text=True)
    assert reading.get_thread(None, thread.id).id == thread.id
