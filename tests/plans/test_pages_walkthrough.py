"""The plan pages as a user walkthrough found them, fixed: every grid row leads one level down,
decomposing again is confirmed, a salesperson is shown only what works for them, action steps
read as actions and say when they are overdue, a frozen grid does not invite typing, and gaps
are formatted like the other figures."""

import datetime as dt
from html.parser import HTMLParser

from django.test import Client

from salescope.plans import services
from salescope.plans.choices import Axis
from salescope.plans.models import Target
from salescope.plans.services import Step

VOID = {"input", "br", "img", "meta", "link", "hr", "source", "col", "wbr"}


class _Page(HTMLParser):
    """Every element of a page: its tag, attributes and text (enough to check links, forms and
    labels without an HTML library)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[dict] = []
        self._open: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        element = {"tag": tag, **{k: v or "" for k, v in attrs}, "text": ""}
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop()["tag"] == tag:
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element["text"] += data

    def find(self, **attrs: str) -> list[dict]:
        return [e for e in self.elements if all(e.get(k) == v for k, v in attrs.items())]

    def hrefs(self) -> set[str]:
        return {e["href"] for e in self.elements if e["tag"] == "a" and "href" in e}

    def form_actions(self) -> set[str]:
        """Where the page's forms post, in the plan pages (not the shell's logout, language)."""
        forms = self.find(tag="form", method="post")
        return {e.get("action", "") for e in forms if e.get("action", "").startswith("/plans/")}


def _page(client: Client, url: str) -> _Page:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return _Page(response.content.decode())


def _text(element: dict) -> str:
    return " ".join(element["text"].split())


def _approve(plan, actor) -> None:  # noqa: ANN001
    for action in ("submit", "start_review", "approve"):
        plan.refresh_from_db()
        services.transition_plan(
            actor=actor, plan=plan, action=action, expected_version=plan.version
        )
    plan.refresh_from_db()


def _regions(plan, director) -> tuple[Target, list[Target]]:  # noqa: ANN001
    root = plan.targets.get(parent=None)
    services.decompose_target(actor=director, target=root, steps=[Step(Axis.ORG)])
    return root, list(Target.objects.unrestricted().filter(parent=root).order_by("position", "id"))


# 1. a leaf row is a link: the planner goes one level down to decompose it


def test_every_row_of_the_grid_links_to_its_own_grid(plan, personas, login_client):
    director = personas["director"]
    root, regions = _regions(plan, director)
    assert all(r.is_leaf for r in regions)
    client = login_client(director)
    links = _page(client, f"/plans/targets/{root.pk}/").hrefs()
    for region in regions:
        assert f"/plans/targets/{region.pk}/" in links, region.label
    below = _page(client, f"/plans/targets/{regions[0].pk}/")
    assert below.find(**{"data-testid": "decompose"})  # and there it can be decomposed


# 2. decomposing again (which deletes the parts below) asks first


def test_decomposing_again_asks_for_confirmation_first(plan, personas, login_client):
    director = personas["director"]
    client = login_client(director)
    root = plan.targets.get(parent=None)
    (first,) = _page(client, f"/plans/targets/{root.pk}/").find(**{"data-testid": "decompose"})
    assert "data-confirm" not in first  # nothing below yet: nothing to lose
    _regions(plan, director)
    (again,) = _page(client, f"/plans/targets/{root.pk}/").find(**{"data-testid": "decompose"})
    assert again.get("data-confirm", "").strip()
    en = Client(HTTP_ACCEPT_LANGUAGE="en")
    en.force_login(director)
    (again,) = _page(en, f"/plans/targets/{root.pk}/").find(**{"data-testid": "decompose"})
    assert "locked cells keep their values" in again["data-confirm"]
    assert "comments" in again["data-confirm"]


# 3. posting a comment updates the row's count without a reload


def test_posting_a_comment_updates_the_rows_count(plan, personas, login_client):
    director = personas["director"]
    root, regions = _regions(plan, director)
    client = login_client(director)
    grid = _page(client, f"/plans/targets/{root.pk}/")
    (count,) = grid.find(id=f"comment-count-{regions[0].pk}")
    assert _text(count) == "0 条意见"
    response = client.post(
        f"/plans/targets/{regions[0].pk}/comments/",
        {"text": "华东压力偏大"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    (swapped,) = _Page(response.content.decode()).find(id=f"comment-count-{regions[0].pk}")
    assert swapped.get("hx-swap-oob") == "true"
    assert _text(swapped) == "1 条意见"


# 4. a salesperson is shown what works for him, and his own cells


def test_a_salesperson_sees_only_actions_and_links_that_work(decomposed, personas, login_client):
    director, zhang = personas["director"], personas["salesperson"]
    mine = Target.objects.unrestricted().get(plan=decomposed, person=zhang, grain="year")
    own_step = services.create_step(
        actor=director,
        plan=decomposed,
        what="拜访客户",
        assignee=zhang,
        due_date=dt.date(2026, 3, 1),
    )
    services.create_step(
        actor=director,
        plan=decomposed,
        what="宣讲会",
        assignee=personas["team_lead"],
        due_date=dt.date(2026, 3, 1),
    )
    client = login_client(zhang)
    page = _page(client, f"/plans/{decomposed.pk}/")
    # his target cell, with a link, instead of "no targets yet"
    targets = page.find(**{"data-testid": "plan-targets"})[0]
    assert "还没有目标" not in targets["text"]
    assert f"/plans/targets/{mine.pk}/" in page.hrefs()
    # the only forms he is shown are those for his own action step
    assert page.form_actions() == {f"/plans/steps/{own_step.pk}/status/"}
    # every plan link he is shown opens
    for href in sorted(h for h in page.hrefs() if h.startswith("/plans/")):
        assert client.get(href).status_code == 200, href
    # the planner still has every action
    planner = _page(login_client(director), f"/plans/{decomposed.pk}/")
    assert f"/plans/{decomposed.pk}/edit/" in planner.hrefs()
    assert {
        f"/plans/{decomposed.pk}/transition/",
        f"/plans/{decomposed.pk}/total/",
        f"/plans/{decomposed.pk}/import/",
        f"/plans/{decomposed.pk}/steps/",
    } <= planner.form_actions()

    _approve(decomposed, director)
    page = _page(client, f"/plans/{decomposed.pk}/")
    assert not page.find(**{"data-testid": "new-version"})  # it would be a 403
    assert not page.find(action=f"/plans/{decomposed.pk}/transition/")
    planner = _page(login_client(director), f"/plans/{decomposed.pk}/")
    assert planner.find(**{"data-testid": "new-version"})


def test_a_salespersons_breadcrumb_links_only_cells_he_may_see(decomposed, personas, login_client):
    zhang = personas["salesperson"]
    mine = Target.objects.unrestricted().get(plan=decomposed, person=zhang, grain="year")
    client = login_client(zhang)
    response = client.get(f"/plans/targets/{mine.pk}/")
    assert response.status_code == 200
    page = _Page(response.content.decode())
    crumbs = [e for e in page.find(tag="li") if "breadcrumb-item" in e.get("class", "")]
    labels = [_text(c) for c in crumbs]
    assert any("上海一组" in label for label in labels)  # his team's cell: named, not linked
    for href in page.hrefs():
        if href.startswith("/plans/"):
            assert client.get(href).status_code == 200, href
    ancestors = set(
        Target.objects.unrestricted()
        .filter(plan=decomposed, depth__lt=mine.depth)
        .values_list("pk", flat=True)
    )
    assert not {f"/plans/targets/{pk}/" for pk in ancestors} & page.hrefs()
    # nor is he offered the planner's tools on his own cell
    assert not page.find(**{"data-testid": "decompose"})
    assert not page.find(**{"data-testid": "grid-hint"})
    # the team lead above him follows the same breadcrumb to his cell
    lead = _page(login_client(personas["team_lead"]), f"/plans/targets/{mine.pk}/")
    team = Target.objects.unrestricted().get(pk=mine.parent_id)
    assert f"/plans/targets/{team.pk}/" in lead.hrefs()


# 5. an open step's button is an action; an overdue step says so


def test_an_open_step_offers_mark_done_and_an_overdue_one_is_labelled(plan, personas, login_client):
    director, zhang = personas["director"], personas["salesperson"]
    late = services.create_step(
        actor=director, plan=plan, what="召开宣讲会", assignee=zhang, due_date=dt.date(2020, 1, 10)
    )
    services.create_step(
        actor=director, plan=plan, what="复盘", assignee=zhang, due_date=dt.date(2099, 1, 10)
    )
    page = _page(login_client(director), f"/plans/{plan.pk}/")
    buttons = page.find(**{"data-testid": "mark-done"})
    assert len(buttons) == 2
    assert all(_text(b) != "已完成" for b in buttons)  # not the "done" status label
    steps = page.find(**{"data-testid": "step"})
    overdue = [s for s in steps if late.what in s["text"]]
    assert len(page.find(**{"data-testid": "overdue"})) == 1
    assert "list-group-item-danger" in overdue[0]["class"]
    en = Client(HTTP_ACCEPT_LANGUAGE="en")
    en.force_login(director)
    page = _page(en, f"/plans/{plan.pk}/")
    assert [_text(b) for b in page.find(**{"data-testid": "mark-done"})] == ["Mark done"] * 2
    assert [_text(b) for b in page.find(**{"data-testid": "overdue"})] == ["Overdue"]
    services.update_step(
        actor=director, step=late, expected_version=late.version, changes={"status": "done"}
    )
    page = _page(en, f"/plans/{plan.pk}/")
    assert not page.find(**{"data-testid": "overdue"})  # done is never overdue


# 6. a frozen grid does not invite typing; gaps are formatted


def test_a_frozen_grid_shows_no_typing_hint(plan, personas, login_client):
    director = personas["director"]
    root, _regions_ = _regions(plan, director)
    client = login_client(director)
    assert _page(client, f"/plans/targets/{root.pk}/").find(**{"data-testid": "grid-hint"})
    _approve(plan, director)
    frozen = _page(client, f"/plans/targets/{root.pk}/")
    assert frozen.find(**{"data-testid": "target-grid"})
    assert not frozen.find(**{"data-testid": "grid-hint"})


def test_gaps_have_thousands_separators(plan, personas, login_client):
    director = personas["director"]
    root, regions = _regions(plan, director)
    region = regions[0]
    assert region.value == 300_000_000
    services.set_bottom_up(
        actor=director, target=region, value=111_081_297, expected_version=region.version
    )
    client = login_client(director)
    gaps = [
        _text(g) for g in _page(client, f"/plans/targets/{root.pk}/").find(**{"data-testid": "gap"})
    ]
    assert gaps[0] == "-1,889,187.03"
    assert gaps[1:] == [""] * (len(regions) - 1)
    (own,) = _page(client, f"/plans/targets/{region.pk}/").find(**{"data-testid": "cell-gap"})
    assert _text(own) == "-1,889,187.03"
