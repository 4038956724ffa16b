"""Written-out vignettes for the level model (README.md, "The level model"): a persona, their
answers, the level we expect and why. test_levels.py checks every one; the README table lists
them. The first three are the cases the caregiver-first review found wrong in the old model.

Each vignette: code, persona, answers (a full Balanscheck answer set), level, urgent, why.
"""

from .answers import balans, task

VIGNETTES = [
    dict(
        code="low_burden_many_hours",
        persona="Partner, cares 30 hours a week, rates caring 2/10, gets enough help, no pressure",
        answers=balans(task("household", 20, "neutral"), about__care_hours=30, about__relation="partner"),
        level="balanced",
        urgent=False,
        why="Her own answers say balanced; 30 hours is one risk signal and enough help is a protective "
        "factor: net 0. Hours alone never make someone heavy (the old model said 'zwaar belast').",
    ),
    dict(
        code="heavy_with_night_care",
        persona="Daughter, 8/10, often thinks 'I can't keep this up', cares at night, 30 hours, little help",
        answers=balans(
            task("personal_care", 12, "costs_a_lot"),
            task("night_care", 10, "costs_a_lot"),
            overall_burden=8,
            wellbeing__cannot_cope="often",
            about__care_hours=30,
            network__help="little",
        ),
        level="overloaded",
        urgent=False,
        why="Her own answers say heavy (8/10, often). Night care, 30 hours, little help and two tasks that "
        "cost a lot are four risk signals: one step up. The old model gave her the same level as the 2/10 "
        "caregiver above.",
    ),
    dict(
        code="teenager_alone",
        persona="Under 18, rates caring 7/10, sometimes thinks 'I can't keep this up', nobody helps",
        answers=balans(
            task("household", 6, "costs_some"),
            overall_burden=7,
            wellbeing__cannot_cope="sometimes",
            about__age_group="under_18",
            network__help="none",
        ),
        level="heavy",
        urgent=False,
        why="7/10 is heavy; nobody helping is one risk signal, not enough to raise the level on its own "
        "(the old model made this 'overbelast' from that single rule).",
    ),
    dict(
        code="crisis_with_calm_answers",
        persona="Partner, calm answers (2/10, enough help), but answers the safety question 'yes'",
        answers=balans(wellbeing__safety=True),
        level="overloaded",
        urgent=True,
        why="A crisis answer weighs more than every other answer: at least 'overbelast', crisis help "
        "first, and nothing that reassures ('in balans', 'enough help') is said.",
    ),
    dict(
        code="burden_ten",
        persona="Son, rates caring 10/10, otherwise calm",
        answers=balans(overall_burden=10),
        level="overloaded",
        urgent=True,
        why="10/10 is the top of the scale: overloaded and urgent (threshold urgent_burden).",
    ),
    dict(
        code="almost_always_cannot_cope",
        persona="Mother of an adult son, 3/10, but (almost) always thinks 'I can't keep this up'",
        answers=balans(overall_burden=3, wellbeing__cannot_cope="almost_always", about__relation="child"),
        level="overloaded",
        urgent=True,
        why="The two self-reports disagree; the heavier one counts. '(Almost) always' is also a crisis signal.",
    ),
    dict(
        code="burden_five",
        persona="Neighbour, rates caring 5/10, otherwise calm",
        answers=balans(overall_burden=5, about__relation="friend_neighbour"),
        level="attention",
        urgent=False,
        why="5/10 is the first step of 'let op' (threshold burden_attention).",
    ),
    dict(
        code="burden_four",
        persona="Friend, rates caring 4/10, otherwise calm",
        answers=balans(overall_burden=4, about__relation="friend_neighbour"),
        level="balanced",
        urgent=False,
        why="Just below burden_attention, with enough help.",
    ),
    dict(
        code="sometimes_cannot_cope",
        persona="Partner, 2/10, but sometimes thinks 'I can't keep this up'",
        answers=balans(wellbeing__cannot_cope="sometimes"),
        level="attention",
        urgent=False,
        why="The heavier of the two self-reports counts: 'sometimes' is 'let op'.",
    ),
    dict(
        code="calm_but_much_context",
        persona="Husband, 2/10, never 'can't keep up', but 40 hours, nights, nobody helps, pressure in 2 areas",
        answers=balans(
            task("night_care", 10, "neutral"),
            about__care_hours=40,
            network__help="none",
            pressure__health="a_lot",
            pressure__social="a_lot",
        ),
        level="attention",
        urgent=False,
        why="Four risk signals, but context raises the level by one step at most: from balanced to 'let op'.",
    ),
    dict(
        code="attention_raised_to_heavy",
        persona="Daughter, 6/10, 25 hours, nights, little help",
        answers=balans(
            task("night_care", 8, "costs_some"),
            overall_burden=6,
            about__care_hours=25,
            network__help="little",
        ),
        level="heavy",
        urgent=False,
        why="Base 'let op' (6/10); hours, nights and little help are three risk signals: one step up.",
    ),
    dict(
        code="context_offset_by_help",
        persona="Daughter, 6/10, 25 hours, nights, but enough help and caring gives her energy",
        answers=balans(
            task("night_care", 8, "neutral"),
            task("emotional_support", 4, "gives"),
            overall_burden=6,
            about__care_hours=25,
        ),
        level="attention",
        urgent=False,
        why="Two risk signals (hours, nights) and two protective factors (help, energy): net 0, no raise.",
    ),
    dict(
        code="heavy_with_help",
        persona="Son, 8/10, enough help, nothing else weighs",
        answers=balans(overall_burden=8),
        level="heavy",
        urgent=False,
        why="Protective factors never lower what someone says themselves: 8/10 stays heavy.",
    ),
    dict(
        code="nine_with_help_and_energy",
        persona="Partner, 9/10, enough help, caring also gives energy",
        answers=balans(task("emotional_support", 5, "gives"), overall_burden=9),
        level="overloaded",
        urgent=False,
        why="9/10 is 'overbelast' by her own rating (burden_overloaded); not urgent below 10.",
    ),
    dict(
        code="working_carer_one_area",
        persona="Working son, 5/10, 20 hours of care and 40 of work, a lot of pressure from work",
        answers=balans(overall_burden=5, about__care_hours=20, about__work_hours=40, pressure__work="a_lot"),
        level="attention",
        urgent=False,
        why="20 hours of care is one risk signal; pressure in one area is not yet a signal; enough help "
        "offsets: net 0.",
    ),
    dict(
        code="working_carer_squeezed",
        persona="Working daughter, 5/10, 12 hours of care and 48 of work, a lot of pressure from work and "
        "social life, some help",
        answers=balans(
            overall_burden=5,
            about__care_hours=12,
            about__work_hours=48,
            pressure__work="a_lot",
            pressure__social="a_lot",
            network__help="some",
        ),
        level="heavy",
        urgent=False,
        why="60 hours of care and work together and pressure in two areas: two risk signals, one step up.",
    ),
    dict(
        code="older_partner_at_home",
        persona="Partner of 70+, lives together, 7/10, often 'can't keep up', 50 hours, nights, nobody "
        "helps, three tasks cost a lot",
        answers=balans(
            task("household", 14, "costs_a_lot"),
            task("personal_care", 14, "costs_a_lot"),
            task("night_care", 14, "costs_a_lot"),
            overall_burden=7,
            wellbeing__cannot_cope="often",
            about__age_group="67_plus",
            about__lives_with=True,
            about__relation="partner",
            about__care_hours=50,
            network__help="none",
        ),
        level="overloaded",
        urgent=False,
        why="Base heavy; hours, nights, nobody helping and tasks that cost a lot: one step up, to overloaded.",
    ),
    dict(
        code="low_burden_offset_pressures",
        persona="Brother, 3/10, never 'can't keep up', two tasks cost a lot, pressure in three areas, "
        "enough help, one task gives energy",
        answers=balans(
            task("household", 3, "costs_a_lot"),
            task("transport", 3, "costs_a_lot"),
            task("emotional_support", 3, "gives"),
            about__relation="other_family",
            pressure__family="a_lot",
            pressure__health="a_lot",
            pressure__money="a_lot",
        ),
        level="balanced",
        urgent=False,
        why="Two risk signals (tasks, pressures) against two protective factors (help, energy): net 0. His "
        "own 3/10 stands.",
    ),
    dict(
        code="parent_of_disabled_child",
        persona="Parent of a child with a disability, 7/10, sometimes 'can't keep up', 35 hours, some help",
        answers=balans(
            task("personal_care", 15, "costs_some"),
            task("supervision", 20, "costs_some"),
            overall_burden=7,
            wellbeing__cannot_cope="sometimes",
            about__relation="child",
            about__care_hours=35,
            network__help="some",
        ),
        level="heavy",
        urgent=False,
        why="Base heavy (7/10); 35 hours is one risk signal; no raise.",
    ),
    dict(
        code="nothing_at_all",
        persona="Friend who only visits: 0/10, no tasks, 0 hours",
        answers=balans(overall_burden=0, about__care_hours=0, about__relation="friend_neighbour"),
        level="balanced",
        urgent=False,
        why="Nothing weighs; enough help.",
    ),
    dict(
        code="crisis_on_top_of_heavy",
        persona="Partner, 8/10, often 'can't keep up', enough help, answers the safety question 'yes'",
        answers=balans(overall_burden=8, wellbeing__cannot_cope="often", wellbeing__safety=True),
        level="overloaded",
        urgent=True,
        why="Heavy by her own answers; the crisis answer makes it at least overloaded, and 'enough help' "
        "(reassuring) is not said.",
    ),
    dict(
        code="student_one_pressure",
        persona="Student of 18-24, 5/10, sometimes 'can't keep up', a lot of pressure from study",
        answers=balans(
            overall_burden=5,
            wellbeing__cannot_cope="sometimes",
            about__age_group="18_24",
            about__work_hours=20,
            pressure__work="a_lot",
        ),
        level="attention",
        urgent=False,
        why="Both self-reports say 'let op'; one area of pressure is not a signal.",
    ),
    dict(
        code="moderate_rating_often",
        persona="Daughter-in-law, 6/10, but often thinks 'I can't keep this up'",
        answers=balans(overall_burden=6, wellbeing__cannot_cope="often", about__relation="other_family"),
        level="heavy",
        urgent=False,
        why="The heavier self-report ('often') counts.",
    ),
]
