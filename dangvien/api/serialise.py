"""Small pieces shared by the answers of several endpoints."""

from typing import Any

from dangvien.people.models import Person


def person_out(person: Person) -> dict[str, Any]:
    return {
        "id": person.pk,
        "full_name": person.full_name,
        "family_name": person.family_name,
        "middle_name": person.middle_name,
        "given_name": person.given_name,
        "birth_date": person.birth_date,
        "sex": person.sex,
        "citizen_id": person.citizen_id,
        "ethnicity": person.ethnicity,
        "religion": person.religion,
        "education_level": person.education_level,
        "occupation": person.occupation,
        "hometown": person.hometown,
        "address": person.address,
        "phone": person.phone,
        "youth_union_member": person.youth_union_member,
        "trade_union_member": person.trade_union_member,
        "political_theory": person.political_theory,
        "occupation_group": person.occupation_group,
        "village_id": person.village_id,
        # Sensitive personal data, encrypted at rest (issue 9); only in scoped answers.
        "family_background": person.family_background,
    }


def user_name(user: Any) -> str | None:
    return str(user) if user is not None else None
