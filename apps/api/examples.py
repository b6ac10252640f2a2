"""Example requests and answers shown in the OpenAPI schema and /api/docs/."""

from __future__ import annotations

ARTICLE_ID = "0b6f5a7e-3c2d-4a51-9f5e-6d1c2b3a4f50"
CLAIM_ID = "6f1c0c1e-8d0e-4a84-9d7c-0a4f4b2b8d11"
ENTITY_ID = "3a9e2d71-5b4c-4f0e-8a6d-2c1b0e9f8a7d"
OFFICE_ID = "c4d5e6f7-1a2b-4c3d-8e9f-0a1b2c3d4e5f"

SPAN_COMMON = {
    "article": ARTICLE_ID,
    "anchor_state": "anchored",
    "origin": "manual",
    "extractor_version": "",
    "confidence": None,
    "reviewed_at": None,
    "review_note": "",
    "version": 2,
    "created_at": "2026-01-07T09:12:44.120331Z",
    "updated_at": "2026-01-07T10:02:13.581204Z",
}

EVIDENCE = {
    "id": "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
    "url": "https://www.gov.uk/government/people/keir-starmer",
    "title": "The Rt Hon Sir Keir Starmer KCB KC MP",
    "quoted_passage": "Keir Starmer became Prime Minister on 5 July 2024.",
    "note": "",
    "created_at": "2026-01-07T09:40:02.000000Z",
}

CLAIM = {
    "id": CLAIM_ID,
    **SPAN_COMMON,
    "start": 0,
    "end": 71,
    "exact": "UK Prime Minister Keir Starmer met Zelensky in Kyiv on 6 January 2024.",
    "prefix": "",
    "suffix": " The two leaders discussed",
    "review_state": "approved",
    "kind": "role",
    "reason": "has a date and a title of office",
    "check_worthiness": 0.9,
    "verdict": "inaccurate",
    "verdict_state": "verified",
    "rating": 1,
    "rating_label": "False",
    "summary": "Starmer became Prime Minister on 5 July 2024; in January 2024 it was Rishi Sunak.",
    "verdict_at": "2026-01-07T09:41:10.000000Z",
    "verified_at": "2026-01-07T10:02:13.581204Z",
    "verdict_note": "",
    "evidence": [EVIDENCE],
}

QUOTE = {
    "id": "1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6",
    **SPAN_COMMON,
    "start": 120,
    "end": 160,
    "exact": "“We will stand with Ukraine for as long as it takes.”",
    "prefix": "Starmer said, ",
    "suffix": " The visit",
    "review_state": "proposed",
    "speaker": {"id": ENTITY_ID, "label": "Keir Starmer", "kind": "person"},
    "speaker_text": "Starmer",
    "speaker_confidence": 0.95,
    "attribution_start": 106,
    "attribution_end": 118,
    "attribution_text": "Starmer said",
    "verb": "said",
}

MENTION = {
    "id": "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d",
    **SPAN_COMMON,
    "start": 18,
    "end": 30,
    "exact": "Keir Starmer",
    "prefix": "UK Prime Minister ",
    "suffix": " met Zelensky in Kyiv on 6 Janu",
    "review_state": "approved",
    "entity": {"id": ENTITY_ID, "label": "Keir Starmer", "kind": "person"},
    "title_start": 0,
    "title_end": 17,
    "title_text": "UK Prime Minister",
    "title_modifier": "",
    "office": {"id": OFFICE_ID, "label": "Prime Minister of the United Kingdom", "kind": "office"},
}

DATE = {
    "id": "2b3c4d5e-6f70-4a8b-9cad-bef0a1b2c3d4",
    **SPAN_COMMON,
    "start": 56,
    "end": 70,
    "exact": "6 January 2024",
    "prefix": "met Zelensky in Kyiv on ",
    "suffix": ". The two leaders discussed",
    "review_state": "proposed",
    "value": "2024-01-06",
    "precision": "day",
    "is_relative": False,
}

FINDING = {
    "id": "5e4d3c2b-1a09-4f8e-8d7c-6b5a4f3e2d1c",
    "article": ARTICLE_ID,
    "code": "ROLE_AT_DATE",
    "check_version": "1",
    "severity": "error",
    "message": "Keir Starmer was not UK Prime Minister on 2024-01-06: he took office on "
    "2024-07-05; Rishi Sunak held it then.",
    "spans": [{"type": "mention", "uuid": MENTION["id"], "start": 0, "end": 30}],
    "kb_facts": [{"tenure": "Keir Starmer — Prime Minister (2024-07-05–)"}],
    "state": "open",
    "state_reason": "",
    "state_at": None,
    "version": 1,
    "created_at": "2026-01-07T09:13:02.000000Z",
    "updated_at": "2026-01-07T09:13:02.000000Z",
}

ARTICLE = {
    "id": ARTICLE_ID,
    "external_id": "cms-48213",
    "title": "Starmer visits Kyiv",
    "source": "Example Post",
    "byline": "Jane Reporter",
    "url": "https://news.example.com/2026/01/starmer-kyiv",
    "language": "en",
    "published_on": "2026-01-07",
    "event_on": None,
    "status": "in_progress",
    "revision": 1,
    "body_sha256": "3f0a…",
    "extraction_state": "done",
    "extraction_requested_at": "2026-01-07T09:12:30.000000Z",
    "extracted_at": "2026-01-07T09:12:31.000000Z",
    "extraction_failed_at": None,
    "extraction_error": "",
    "check_state": "done",
    "check_requested_at": "2026-01-07T09:12:31.000000Z",
    "check_done_at": "2026-01-07T09:13:02.000000Z",
    "check_failed_at": None,
    "check_error": "",
    "created_at": "2026-01-07T09:12:30.000000Z",
    "updated_at": "2026-01-07T09:13:02.000000Z",
}

ARTICLE_DETAIL = {
    **ARTICLE,
    "body": CLAIM["exact"] + " The two leaders discussed …",
    "annotations": {"claims": [CLAIM], "quotes": [QUOTE], "mentions": [MENTION], "dates": [DATE]},
    "findings": [FINDING],
}

ENTITY = {
    "id": ENTITY_ID,
    "kind": "person",
    "label": "Keir Starmer",
    "description": "Prime Minister of the United Kingdom since 2024",
    "wikidata_id": "Q6279",
    "aliases": ["Keir Starmer", "Sir Keir Starmer", "Starmer"],
    "tenures": [
        {
            "id": "8f7e6d5c-4b3a-4291-8f0e-1d2c3b4a5f6e",
            "office": {
                "id": OFFICE_ID,
                "label": "Prime Minister of the United Kingdom",
                "kind": "office",
            },
            "start": "2024-07-05",
            "start_precision": "day",
            "end": None,
            "end_precision": "day",
            "end_unknown": False,
            "is_current": True,
            "source_url": "https://www.wikidata.org/wiki/Q6279",
        }
    ],
    "holders": [],
    "created_at": "2026-01-01T08:00:00.000000Z",
    "updated_at": "2026-01-01T08:00:00.000000Z",
}


CLAIM_REVIEW = {
    "@context": "https://schema.org",
    "@type": "ClaimReview",
    "@id": f"https://factdesk.example.org/claims/{CLAIM_ID}/review/",
    "url": f"https://factdesk.example.org/claims/{CLAIM_ID}/review/",
    "claimReviewed": CLAIM["exact"],
    "reviewRating": {
        "@type": "Rating",
        "alternateName": "False",
        "name": "False",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
    },
    "itemReviewed": {
        "@type": "Claim",
        "author": {"@type": "Person", "name": "Jane Reporter"},
        "datePublished": "2026-01-07",
        "appearance": {
            "@type": "NewsArticle",
            "headline": "Starmer visits Kyiv",
            "url": "https://news.example.com/2026/01/starmer-kyiv",
            "datePublished": "2026-01-07",
            "publisher": {"@type": "Organization", "name": "Example Post"},
        },
    },
    "author": {"@type": "Organization", "name": "Factdesk", "url": "https://factdesk.example.org"},
    "datePublished": "2026-01-07",
    "inLanguage": "en",
    "reviewBody": CLAIM["summary"],
}

WEB_ANNOTATIONS = {
    "@context": "http://www.w3.org/ns/anno.jsonld",
    "id": f"https://factdesk.example.org/api/v1/articles/{ARTICLE_ID}/annotations.jsonld",
    "type": "AnnotationCollection",
    "label": "Factdesk annotations of 'Starmer visits Kyiv' (revision 1)",
    "total": 1,
    "first": {
        "id": f"https://factdesk.example.org/api/v1/articles/{ARTICLE_ID}/annotations.jsonld#page-1",
        "type": "AnnotationPage",
        "startIndex": 0,
        "items": [
            {
                "id": f"urn:uuid:{MENTION['id']}",
                "type": "Annotation",
                "motivation": "identifying",
                "created": "2026-01-07T09:12:44.120331+00:00",
                "modified": "2026-01-07T10:02:13.581204+00:00",
                "body": [
                    {
                        "type": "TextualBody",
                        "value": "mention",
                        "purpose": "tagging",
                        "format": "text/plain",
                    },
                    {
                        "type": "SpecificResource",
                        "purpose": "identifying",
                        "source": "https://www.wikidata.org/wiki/Q6279",
                        "label": "Keir Starmer",
                    },
                ],
                "target": {
                    "source": {
                        "id": f"https://factdesk.example.org/api/v1/articles/{ARTICLE_ID}",
                        "type": "Text",
                        "format": "text/plain",
                        "language": "en",
                        "title": "Starmer visits Kyiv",
                    },
                    "selector": [
                        {
                            "type": "TextQuoteSelector",
                            "exact": "Keir Starmer",
                            "prefix": "UK Prime Minister ",
                            "suffix": " met Zelensky in Kyiv on 6 Janu",
                        },
                        {"type": "TextPositionSelector", "start": 18, "end": 30},
                    ],
                },
            }
        ],
    },
}

CSV_SAMPLE = (
    "id,article_id,article_title,article_url,published_on,kind,text,start,end,verdict,"
    "verdict_state,rating,rating_label,summary,review_state,verified_at,updated_at,evidence_urls\r\n"
    f"{CLAIM_ID},{ARTICLE_ID},Starmer visits Kyiv,https://news.example.com/2026/01/starmer-kyiv,"
    f'2026-01-07,role,"{CLAIM["exact"]}",0,71,inaccurate,verified,1,False,"{CLAIM["summary"]}",'
    "approved,2026-01-07T10:02:13.581204+00:00,2026-01-07T10:02:13.581204+00:00,"
    "https://www.gov.uk/government/people/keir-starmer\r\n"
)

HISTORY = {
    "id": CLAIM["id"],
    "kind": "claim",
    "title": "Keir Starmer met allies in Paris on January 6, 2024",
    "deleted": False,
    "entries": [
        {
            "date": "2026-01-07T10:02:11Z",
            "user": "rita",
            "action": "changed",
            "reason": "",
            "subject": "",
            "changes": [
                {"field": "verdict state", "old": "proposed", "new": "verified"},
                {"field": "reviewed by", "old": "", "new": "rita"},
            ],
        },
        {
            "date": "2026-01-07T09:40:55Z",
            "user": "anna",
            "action": "created",
            "reason": "",
            "subject": "evidence “https://www.gov.uk/government/people/keir-starmer”",
            "changes": [
                {
                    "field": "url",
                    "old": "",
                    "new": "https://www.gov.uk/government/people/keir-starmer",
                }
            ],
        },
    ],
}

# POST /articles/{id}/annotations: spans of several types in one request, answered in order.
BULK_REQUEST = [
    {
        "type": "claim",
        "start": CLAIM["start"],
        "end": CLAIM["end"],
        "exact": CLAIM["exact"],
        "kind": "role",
    },
    {
        "type": "mention",
        "start": MENTION["start"],
        "end": MENTION["end"],
        "exact": MENTION["exact"],
        "entity": ENTITY_ID,
        "title_start": 0,
        "title_end": 17,
    },
    {
        "type": "date",
        "start": DATE["start"],
        "end": DATE["end"],
        "exact": DATE["exact"],
        "value": "2024-01-06",
        "precision": "day",
    },
]
_NEW = {"version": 1, "review_state": "proposed", "reviewed_at": None}
BULK_CREATED = [
    {
        **CLAIM,
        **_NEW,
        "verdict": "not_rated",
        "verdict_state": "unverified",
        "rating": None,
        "rating_label": "",
        "summary": "",
        "verdict_at": None,
        "verified_at": None,
        "reason": "",
        "check_worthiness": None,
        "evidence": [],
    },
    {**MENTION, **_NEW, "office": None, "title_modifier": ""},
    {**DATE, **_NEW},
]
BULK_ERROR = {
    "status": 400,
    "code": "invalid",
    "message": "1 of 3 annotations are invalid; nothing was created. First: item 2, end: "
    "end (70) must be greater than start (71).",
    "errors": [
        {"index": 2, "field": "end", "message": "end (70) must be greater than start (71)."}
    ],
}
