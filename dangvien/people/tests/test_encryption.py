"""Citizen IDs and family background encrypted at rest, citizen IDs found through a keyed
index (issue 9; Nghị định 13/2023/NĐ-CP Điều 26; core/crypto.py, core/fields.py)."""

import base64
import re

import pytest
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import IntegrityError, connection
from django.template.loader import render_to_string

from dangvien.api.serialise import person_out
from dangvien.candidates.queries import filter_candidates
from dangvien.core import crypto
from dangvien.core.errors import NotEligible
from dangvien.core.models import AuditEvent
from dangvien.factories import PersonFactory, make_candidate, make_member, make_person
from dangvien.members.models import Member
from dangvien.members.queries import filter_members
from dangvien.people.actions import DuplicateCitizenId, create_person, derived_keys
from dangvien.people.models import Person
from dangvien.people.queries import by_citizen_id, citizen_id_index, people_by_citizen_id

CID = "001200012345"
BACKGROUND = "Bố: Nguyễn Văn Bình, nông dân.\nMẹ: Trần Thị Lan, giáo viên."
TOKEN = re.compile(r"v1:[A-Za-z0-9_-]+:[A-Za-z0-9_=-]+")


def fields(**overrides):
    from datetime import date

    values = {
        "full_name": "Nguyễn Văn Đạt",
        "birth_date": date(2000, 1, 2),
        "sex": "male",
        "citizen_id": CID,
        "education_level": "upper_secondary",
        "family_background": BACKGROUND,
    }
    values.update(overrides)
    return values


def raw_row(person):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT citizen_id, citizen_id_hmac, family_background, search_text "
            "FROM people_person WHERE id = %s",
            [person.pk],
        )
        return cursor.fetchone()


def key():
    return crypto.new_key()


# ---- the cipher ------------------------------------------------------------------------


def test_a_token_names_its_version_and_key_and_opens_again():
    token = crypto.encrypt(CID)
    assert TOKEN.fullmatch(token)
    assert token.startswith("v1:dev:")  # development key: DEBUG on, no keys configured
    assert crypto.decrypt(token) == CID


def test_two_encryptions_of_the_same_citizen_id_differ():
    assert crypto.encrypt(CID) != crypto.encrypt(CID)


def test_an_empty_value_stays_empty():
    assert crypto.encrypt("") == "" and crypto.decrypt("") == ""


def test_vietnamese_text_survives_the_round_trip():
    assert crypto.decrypt(crypto.encrypt(BACKGROUND)) == BACKGROUND


def test_a_tampered_token_is_refused():
    token = crypto.encrypt(CID)
    head, body = token.rsplit(":", 1)
    raw = bytearray(base64.urlsafe_b64decode(body))
    raw[15] ^= 1  # one bit of the ciphertext
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(f"{head}:{base64.urlsafe_b64encode(bytes(raw)).decode()}")


def test_a_token_moved_under_another_key_id_is_refused(settings):
    settings.FIELD_ENCRYPTION_KEYS = [f"k1={key()}", f"k2={key()}"]
    token = crypto.encrypt(CID)
    with pytest.raises(crypto.InvalidToken):
        crypto.decrypt(token.replace("v1:k1:", "v1:k2:"))


def test_garbage_and_unknown_keys_are_refused():
    for token in ("001200012345", "v1:dev:not base64!", "v1:nokey:AAAA", "v2:dev:AAAA"):
        with pytest.raises(crypto.InvalidToken):
            crypto.decrypt(token)


def test_a_blind_index_is_64_hex_characters_and_stable():
    index = crypto.blind_index(CID, purpose="citizen_id")
    assert re.fullmatch(r"[0-9a-f]{64}", index)
    assert crypto.blind_index(CID, purpose="citizen_id") == index


def test_a_different_blind_index_key_gives_a_different_index(settings):
    settings.BLIND_INDEX_KEY = key()
    first = crypto.blind_index(CID, purpose="citizen_id")
    settings.BLIND_INDEX_KEY = key()
    assert crypto.blind_index(CID, purpose="citizen_id") != first


def test_each_purpose_has_its_own_index_key():
    assert crypto.blind_index(CID, purpose="citizen_id") != crypto.blind_index(CID, purpose="phone")


def test_the_index_is_keyed_not_a_bare_hash():
    import hashlib

    assert crypto.blind_index(CID, purpose="citizen_id") != hashlib.sha256(CID.encode()).hexdigest()


def test_without_keys_and_with_debug_off_nothing_starts():
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS"):
        crypto.check_configuration(debug=False, encryption_keys=[], blind_index_key="")
    crypto.check_configuration(debug=False, encryption_keys=[f"k1={key()}"], blind_index_key=key())


@pytest.mark.parametrize(
    "keys",
    [
        ["k1=c2hvcnQ="],  # 5 bytes, not 32
        ["k1=***"],  # not base64
        ["no equals sign"],
        ["bad:id=" + base64.b64encode(b"x" * 32).decode()],
        ["k1=" + base64.b64encode(b"x" * 32).decode()] * 2,  # repeated id
    ],
)
def test_bad_encryption_keys_stop_the_start_up(keys):
    with pytest.raises(ImproperlyConfigured):
        crypto.check_configuration(debug=True, encryption_keys=keys, blind_index_key="")


def test_a_short_blind_index_key_stops_the_start_up():
    with pytest.raises(ImproperlyConfigured, match="BLIND_INDEX_KEY"):
        crypto.check_configuration(debug=True, encryption_keys=[], blind_index_key="c2hvcnQ=")


def test_the_settings_refuse_to_start_without_keys_when_debug_is_off(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "DATABASE_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="dangvien.settings",
        DEBUG="0",
        SECRET_KEY="s" * 20 + key(),
        ALLOWED_HOSTS="dangvien.example",
        DANGVIEN_VAR_DIR=str(tmp_path),
    )
    run = [sys.executable, "-c", "import django; django.setup()"]
    refused = subprocess.run(run, env=env, capture_output=True, text=True, check=False)
    assert refused.returncode != 0
    assert "Field encryption keys are not set" in refused.stderr
    env.update(FIELD_ENCRYPTION_KEYS=f"k1={key()}", BLIND_INDEX_KEY=key())
    started = subprocess.run(run, env=env, capture_output=True, text=True, check=False)
    assert started.returncode == 0, started.stderr


# ---- the Person columns ----------------------------------------------------------------


def test_the_database_holds_no_plaintext_citizen_id_or_family_background(db):
    person = create_person(**fields())
    citizen_id, index, background, search_text = raw_row(person)
    assert TOKEN.fullmatch(citizen_id) and TOKEN.fullmatch(background)
    assert CID not in citizen_id and "Nguyễn Văn Bình" not in background
    assert index == crypto.blind_index(CID, purpose="citizen_id")
    assert CID not in search_text
    with connection.cursor() as cursor:  # nowhere in the row
        cursor.execute("SELECT * FROM people_person WHERE id = %s", [person.pk])
        assert CID not in repr(cursor.fetchone())


def test_the_model_reads_the_plaintext_back(db):
    person = create_person(**fields())
    again = Person.objects.get(pk=person.pk)
    assert (again.citizen_id, again.family_background) == (CID, BACKGROUND)


def test_a_blank_family_background_stays_blank_in_the_column(db):
    person = create_person(**fields(family_background=""))
    assert raw_row(person)[2] == ""
    assert Person.objects.filter(family_background="").get() == person


def test_assigning_a_citizen_id_sets_its_index_at_once(db):
    person = Person(citizen_id=CID)
    assert person.citizen_id_hmac == citizen_id_index(CID)


def test_bulk_created_people_get_their_index(db):
    people = [PersonFactory.build(citizen_id=f"00120000000{n}") for n in range(3)]
    for person in people:
        derived_keys(person)
    Person.objects.bulk_create(people)
    assert by_citizen_id("001200000002").get().citizen_id == "001200000002"


def test_saving_an_unchanged_person_keeps_the_same_token(db):
    person = create_person(**fields())
    before = raw_row(person)
    again = Person.objects.get(pk=person.pk)
    again.occupation = "Nông dân"
    again.save()
    assert raw_row(person)[:3] == before[:3]  # no false change in the audit trail


def test_a_changed_family_background_is_encrypted_anew(db):
    person = create_person(**fields())
    token = raw_row(person)[2]
    person.family_background = "Gia đình cách mạng."
    person.save()
    assert raw_row(person)[2] != token
    assert Person.objects.get(pk=person.pk).family_background == "Gia đình cách mạng."


def test_saving_only_the_citizen_id_writes_its_index_too(db):
    person = create_person(**fields())
    person.citizen_id = "001200099999"
    person.save(update_fields=["citizen_id"])
    assert by_citizen_id("001200099999").get() == person
    assert not by_citizen_id(CID).exists()


def test_the_audit_trail_holds_only_ciphertext(db):
    person = create_person(**fields())
    person.family_background = "Gia đình cách mạng."
    person.save()
    events = AuditEvent.objects.filter(table="people_person", row_id=str(person.pk))
    assert events.count() == 2
    for event in events:
        for state in (event.before, event.after):
            if state:
                assert TOKEN.fullmatch(state["citizen_id"])
                assert TOKEN.fullmatch(state["family_background"])
                assert CID not in repr(state) and "Gia đình" not in repr(state)


# ---- finding people by citizen ID ------------------------------------------------------


def test_the_index_finds_the_person(db):
    person = create_person(**fields())
    assert by_citizen_id(CID).get() == person
    assert by_citizen_id(f" {CID} ").get() == person
    assert not by_citizen_id("001200012346").exists()


def test_people_by_citizen_id_answers_a_batch(db):
    first = make_person(citizen_id="000000000001")
    second = make_person(citizen_id="000000000002")
    found = people_by_citizen_id(["000000000001", "000000000002", "000000000003"])
    assert found == {"000000000001": first, "000000000002": second}


def test_exact_and_in_lookups_on_the_citizen_id_go_through_the_index(tree):
    member = make_member(person=make_person(citizen_id=CID), branch=tree["village"])
    assert Person.objects.get(citizen_id=CID) == member.person
    assert Member.objects.get(person__citizen_id=CID) == member
    assert list(Person.objects.filter(citizen_id__in=[CID, "000000000009"])) == [member.person]
    assert not Person.objects.exclude(citizen_id=CID).exists()
    sql = str(Person.objects.filter(citizen_id=CID).query)
    assert "citizen_id_hmac" in sql and CID not in sql


def test_searching_ciphertext_by_part_of_a_value_is_refused(db):
    with pytest.raises(FieldError):
        list(Person.objects.filter(citizen_id__startswith="0012"))
    with pytest.raises(FieldError):
        list(Person.objects.filter(family_background__icontains="nông"))
    with pytest.raises(FieldError):
        list(Person.objects.filter(family_background="Gia đình"))


def test_the_same_citizen_id_twice_is_refused_in_vietnamese(db):
    create_person(**fields())
    with pytest.raises(DuplicateCitizenId, match=f"Số CCCD {CID} đã có trong hệ thống."):
        create_person(**fields(full_name="Trần Văn Bình"))


def test_the_database_refuses_a_duplicate_citizen_id_behind_the_actions_back(db):
    make_person(citizen_id=CID)
    with pytest.raises(IntegrityError):
        make_person(citizen_id=CID)


def test_candidate_and_member_lists_find_a_twelve_digit_query_through_the_index(tree):
    candidate = make_candidate(branch=tree["village"], person=make_person(citizen_id=CID))
    member = make_member(branch=tree["village"], person=make_person(citizen_id="001095012345"))
    candidates = candidate.__class__.objects.all()
    assert list(filter_candidates(candidates, q=CID)) == [candidate]
    assert list(filter_candidates(candidates, q=" 001200012345 ")) == [candidate]
    assert not filter_candidates(candidates, q="001200").exists()  # no partial match
    assert list(filter_members(Member.objects.all(), q="001095012345")) == [member]
    assert list(filter_members(Member.objects.all(), q=member.person.given_name.lower())) == [
        member
    ]


# ---- where family background shows -----------------------------------------------------


def test_the_api_person_answer_carries_the_family_background(db):
    person = create_person(**fields())
    answer = person_out(Person.objects.get(pk=person.pk))
    assert (answer["citizen_id"], answer["family_background"]) == (CID, BACKGROUND)


def test_the_detail_fragment_shows_the_family_background_escaped_with_line_breaks(db):
    person = create_person(**fields(family_background="Bố <b>nông dân</b>\nMẹ giáo viên"))
    html = render_to_string("people/_family_background.html", {"person": person})
    assert "Bố &lt;b&gt;nông dân&lt;/b&gt;<br>Mẹ giáo viên" in html


def test_the_person_edit_page_shows_and_saves_the_family_background(client, tree):
    from dangvien.accounts.models import Role
    from dangvien.factories import user_with_role

    member = make_member(branch=tree["village"], person=make_person(family_background=BACKGROUND))
    client.force_login(user_with_role(Role.BRANCH_SECRETARY, tree["village"]))
    url = f"/nhan-than/{member.person.pk}/sua/"
    page = client.get(url).content.decode()
    assert "Hoàn cảnh, lịch sử gia đình" in page and "Nguyễn Văn Bình, nông dân." in page
    form = {"sex": "male", "ethnicity": "Kinh", "religion": "Không"}
    form |= {"education_level": "university", "family_background": "Bố: bộ đội.\r\nMẹ: y tá."}
    assert client.post(url, form).status_code == 302
    assert Person.objects.get(pk=member.person.pk).family_background == "Bố: bộ đội.\nMẹ: y tá."
    assert TOKEN.fullmatch(raw_row(member.person)[2])


def test_a_family_background_too_long_is_refused(db):
    with pytest.raises(NotEligible, match="tối đa 5000 ký tự"):
        create_person(**fields(family_background="x" * 5001))


def test_relisting_someone_without_a_family_background_keeps_the_one_declared(db):
    from dangvien.people.actions import refresh_person

    person = create_person(**fields())
    refresh_person(person, **fields(family_background="", occupation="Nông dân"))
    again = Person.objects.get(pk=person.pk)
    assert (again.occupation, again.family_background) == ("Nông dân", BACKGROUND)
    refresh_person(again, **fields(family_background="Gia đình cách mạng."))
    assert Person.objects.get(pk=person.pk).family_background == "Gia đình cách mạng."


# ---- the batch forms the generator uses (synth.persons) --------------------------------


@pytest.mark.django_db
def test_batch_encryption_makes_the_contract_s_tokens_with_fresh_nonces() -> None:
    values = ["001090123456", "", "Gia đình cơ sở cách mạng", "001090123456"]
    tokens = crypto.encrypt_many(values)
    assert [crypto.decrypt(token) for token in tokens] == values
    assert tokens[1] == ""
    header = f"{crypto.VERSION}:{crypto.primary_key_id()}:"
    assert all(re.fullmatch(re.escape(header) + r"[A-Za-z0-9_-]+=*", t) for t in tokens if t)
    assert tokens[0] != tokens[3]  # same value, another nonce
    nonces = {t.split(":", 2)[2][:16] for t in crypto.encrypt_many(["1"] * 500)}  # 12 bytes, base64
    assert len(nonces) == 500


@pytest.mark.django_db
def test_the_reusable_citizen_id_indexer_gives_the_blind_index() -> None:
    index = crypto.blind_indexer("citizen_id")
    for value in ("001090123456", "079301000001"):
        assert index(value) == crypto.blind_index(value, purpose="citizen_id")
