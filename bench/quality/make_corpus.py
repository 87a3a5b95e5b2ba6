#!/usr/bin/env python3
"""Generates bench/quality/corpus.json: the retrieval-quality corpus.

An agent's memories over about six months of work for one user (Dana) on
eight projects: facts about each project, preferences, decisions, events,
corrections that replace earlier facts, restatements of known facts, and a
large body of notes whose vocabulary overlaps the answers (code reviews,
to-dos, observations, things learned). Memories are grouped into ordered
sessions, so that ingest links each session's memories with temporal edges.

Questions are phrased the way a user or an agent would ask them, not with the
memory's words. Each lists its evidence as groups of memory keys: a group is
found when any one of its memories is retrieved (a restatement that ingest
kept as a separate memory answers the question as well as the original).
Questions about a corrected fact list the outdated memory as `stale`.

Deterministic: the same script always writes the same file.
    python3 bench/quality/make_corpus.py > bench/quality/corpus.json
"""

import json
import random
import sys

from corpus_projects import PROJECTS, SLOTS, CORRECTIONS
from corpus_stories import STORIES
from corpus_people import PREFERENCES, PREFERENCE_CORRECTIONS
from corpus_noise import project_noise, global_noise

SEED = 20261124
DAYS = 180


class Builder:
    def __init__(self):
        self.rng = random.Random(SEED)
        self.sessions = []
        self.questions = []
        self.next_memory = 1

    def memory(self, content, node_type="note", tags=()):
        key = "m%04d" % self.next_memory
        self.next_memory += 1
        return {"key": key, "content": content, "node_type": node_type, "tags": list(tags)}

    def session(self, day, codebase, memories):
        assert 0 < len(memories) <= 20, "a session is one ingest batch (at most 20 memories)"
        self.sessions.append({"day": day, "codebase": codebase, "memories": memories})

    def question(self, category, text, evidence, stale=()):
        self.questions.append({
            "category": category,
            "question": text,
            "evidence": [list(group) for group in evidence],
            "stale": list(stale),
        })


def fill(template, values):
    return template.format(**values)


def build():
    b = Builder()
    rng = b.rng
    noise_by_project = {p["name"]: project_noise(p, random.Random(SEED + i))
                        for i, p in enumerate(PROJECTS)}
    global_notes = global_noise(random.Random(SEED - 1))

    def take_noise(project, n):
        pool = noise_by_project[project] if project else global_notes
        taken = pool[:n]
        del pool[:n]
        return [b.memory(text, "note", tags) for text, tags in taken]

    # ---- Project facts: told over a few early sessions per project, each
    # with some unrelated notes around them.
    fact_keys = {}  # (project, slot) -> [keys]
    for pi, project in enumerate(PROJECTS):
        name = project["name"]
        slots = [s for s in SLOTS if s["key"] not in project.get("skip", [])]
        rng.shuffle(slots)
        chunks = [slots[i:i + 5] for i in range(0, len(slots), 5)]
        for ci, chunk in enumerate(chunks):
            day = 2 + pi * 3 + ci * 11 + rng.randint(0, 3)
            memories = take_noise(name, rng.randint(1, 3))
            for slot in chunk:
                variants = slot["memory"]
                text = fill(variants[(pi + ci) % len(variants)], project["values"] | {"P": project["title"]})
                m = b.memory(text, slot.get("type", "fact"), [slot["key"]])
                fact_keys[(name, slot["key"])] = [m["key"]]
                memories.append(m)
                if rng.random() < 0.35:
                    memories.extend(take_noise(name, 1))
            memories.extend(take_noise(name, rng.randint(0, 2)))
            b.session(day, name, memories)

    # ---- Restatements: about a quarter of the facts are told again, in
    # other words, months later ("as a reminder, ...").
    restated = []
    for project in PROJECTS:
        for slot in SLOTS:
            if slot["key"] in project.get("skip", []):
                continue
            if len(slot["memory"]) > 1 and rng.random() < 0.25:
                restated.append((project, slot))
    rng.shuffle(restated)
    for i in range(0, len(restated), 4):
        group = restated[i:i + 4]
        by_project = {}
        for project, slot in group:
            by_project.setdefault(project["name"], []).append((project, slot))
        for name, items in by_project.items():
            memories = take_noise(name, 1)
            for project, slot in items:
                pi = PROJECTS.index(project)
                variants = slot["memory"]
                text = fill(variants[(pi + 1) % len(variants)], project["values"] | {"P": project["title"]})
                lead = rng.choice(["As a reminder, ", "Worth repeating: ", "Again for the record: ", "Confirmed today: "])
                m = b.memory(lead + text[0].lower() + text[1:], slot.get("type", "fact"), [slot["key"]])
                fact_keys[(name, slot["key"])].append(m["key"])
                memories.append(m)
            b.session(60 + i * 2 + rng.randint(0, 5), name, memories)

    # ---- Corrections: a later session replaces an earlier fact.
    corrected = {}  # (project, slot) -> (new key, old keys)
    for correction in CORRECTIONS:
        project = next(p for p in PROJECTS if p["name"] == correction["project"])
        slot = next(s for s in SLOTS if s["key"] == correction["slot"])
        values = project["values"] | {"P": project["title"]} | correction["values"]
        memories = take_noise(project["name"], rng.randint(0, 2))
        m = b.memory(fill(slot["correction"], values), slot.get("type", "fact"), [slot["key"], "correction"])
        memories.append(m)
        memories.extend(take_noise(project["name"], rng.randint(1, 2)))
        b.session(100 + rng.randint(0, 70), project["name"], memories)
        corrected[(project["name"], slot["key"])] = (m["key"], fact_keys[(project["name"], slot["key"])])

    # ---- Fact questions (for corrected slots: about the current value).
    for pi, project in enumerate(PROJECTS):
        values = project["values"] | {"P": project["title"]}
        for si, slot in enumerate(SLOTS):
            key = (project["name"], slot["key"])
            if slot["key"] in project.get("skip", []):
                continue
            if key in corrected:
                new_key, old_keys = corrected[key]
                b.question("correction", fill(slot["current_question"], values), [[new_key]], old_keys)
            elif (pi + si) % 2 == 0:
                questions = slot["question"]
                b.question("fact", fill(questions[(pi + si) % len(questions)], values), [fact_keys[key]])

    # ---- Stories: what happened in one session, asked about with the words
    # of its first memory; the answer is in a later memory of the session.
    for story in STORIES:
        for instance in story["instances"]:
            project = next(p for p in PROJECTS if p["name"] == instance["project"])
            values = project["values"] | {"P": project["title"]} | instance
            memories = take_noise(project["name"], rng.choice([0, 0, 1]))
            step_keys = []
            for step in story["steps"]:
                m = b.memory(fill(step, values), story.get("type", "event"), story.get("tags", []))
                step_keys.append(m["key"])
                memories.append(m)
            memories.extend(take_noise(project["name"], rng.choice([0, 1, 1, 2])))
            b.session(instance["day"], project["name"], memories)
            for text, steps in story["questions"]:
                b.question("session", fill(text, values), [[step_keys[s]] for s in steps])

    # ---- The user's preferences, spread over sessions without a codebase,
    # and a few that change later.
    pref_keys = {}
    prefs = list(PREFERENCES)
    for i in range(0, len(prefs), 3):
        memories = take_noise(None, rng.randint(1, 3))
        for pref in prefs[i:i + 3]:
            m = b.memory(pref["memory"], "preference", ["user"])
            pref_keys[pref["id"]] = m["key"]
            memories.append(m)
            memories.extend(take_noise(None, rng.randint(0, 1)))
        b.session(1 + i * 3, None, memories)
    pref_corrected = {}
    for correction in PREFERENCE_CORRECTIONS:
        memories = take_noise(None, 1)
        m = b.memory(correction["memory"], "preference", ["user", "correction"])
        memories.append(m)
        memories.extend(take_noise(None, 1))
        b.session(correction["day"], None, memories)
        pref_corrected[correction["id"]] = (m["key"], correction["question"])
    for pref in PREFERENCES:
        if pref["id"] in pref_corrected:
            new_key, question = pref_corrected[pref["id"]]
            b.question("correction", question, [[new_key]], [pref_keys[pref["id"]]])
        else:
            b.question("preference", pref["question"], [[pref_keys[pref["id"]]]])

    # ---- The rest of the notes, in sessions of 6 to 15 over the whole period.
    for name in [p["name"] for p in PROJECTS] + [None]:
        pool = noise_by_project[name] if name else global_notes
        while pool:
            n = min(len(pool), rng.randint(6, 15))
            b.session(rng.randint(0, DAYS), name, take_noise(name, n))

    # Sessions in time order (stable for equal days), numbered.
    b.sessions.sort(key=lambda s: s["day"])
    for i, s in enumerate(b.sessions):
        s["id"] = "s%03d" % (i + 1)
    for i, q in enumerate(b.questions):
        q["id"] = "q%03d" % (i + 1)
    return {
        "description": "An agent's memories over six months of work for one user on eight "
                       "projects, with questions whose evidence memories are known. "
                       "Generated by make_corpus.py.",
        "days": DAYS,
        "sessions": b.sessions,
        "questions": b.questions,
    }


if __name__ == "__main__":
    corpus = build()
    json.dump(corpus, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
