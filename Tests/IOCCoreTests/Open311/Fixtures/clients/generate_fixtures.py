#!/usr/bin/env python3
"""Regenerates the recorded-client fixtures in this folder.

Each client's wire encoding is re-implemented from the client's own source (see README.md):
- FixMyStreet (Perl): URI::_query::query_form escapes ;/?:@&=+,$[]% in keys and values and
  turns spaces into '+'; URI::_query::query then escapes every character outside URI's "uric"
  set as UTF-8 %XX (upper case). HTTP::Request::Common POST builds the body the same way and
  then rewrites %0A as %0D%0A. GET uses $uri->query_form(\%params), which (URI >= 1.60)
  emits the keys sorted; POST bodies come from a Perl hash, whose order is random per process.
- Python `requests` (three, georeport): urllib.parse.urlencode (quote_plus: only
  A-Z a-z 0-9 _ . - ~ are kept, space -> '+'), in dict insertion order.
Run: python3 generate_fixtures.py   (writes the *.txt files next to this script)
"""
import os
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
JURISDICTION = "daklak.gov.vn"

URI_RESERVED_IN_FORM = set(";/?:@&=+,$[]%")
URIC = set(";/?:@&=+$,[]" "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" "-_.!~*'()" "%")


def perl_form_escape(s):
    s = "".join("%%%02X" % ord(c) if c in URI_RESERVED_IN_FORM else c for c in s)
    s = s.replace(" ", "+")
    out = []
    for c in s:
        if c in URIC or c == "{" or c == "}":  # braces only occur in {{PLACEHOLDERS}}
            out.append(c)
        else:
            out.extend("%%%02X" % b for b in c.encode("utf-8"))
    return "".join(out)


def perl_query(pairs):
    return "&".join(perl_form_escape(k) + "=" + perl_form_escape(v) for k, v in pairs)


def perl_post_body(pairs):
    body = perl_query(pairs)
    import re
    return re.sub(r"(?<!%0D)%0A", "%0D%0A", body)


def py_query(pairs):
    return urllib.parse.urlencode(pairs, safe="{}")  # braces: placeholders only


def truncate_coordinate(x):  # perllib/Utils.pm
    out = "%0.6f" % x
    if "." in out:
        import re
        out = re.sub(r"\.?0+\Z", "", out)
    return out


def write(name, header, request_line, headers=(), body=None):
    lines = [f"# {h}" for h in header]
    lines.append(request_line)
    lines.extend(headers)
    if body is not None:
        lines.append("")
        lines.append(body)
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


FMS_PARSE = ("parse: XML::Simple ForceArray=[service attribute value request error request_update] "
             "GroupTags={services=>service attributes=>attribute values=>value service_requests=>request "
             "errors=>error service_request_updates=>request_update} KeyAttr={} SuppressEmpty=>undef "
             "(root name ignored; an empty element becomes undef) — perllib/Open311.pm _get_xml_object")
FORM = "Content-Type: application/x-www-form-urlencoded"

# ---------------------------------------------------------------- FixMyStreet GETs
write("fms-get-services.txt", [
    "client: FixMyStreet — mysociety/fixmystreet perllib/Open311.pm get_service_list -> _get -> _request",
    "caller: perllib/Open311/PopulateServiceList.pm process_body (jurisdiction_id sent when the body has one)",
    FMS_PARSE,
    "expects: services/service with service_code, service_name, metadata (lc eq 'true' -> fetch definition), group",
], "GET /services.xml?" + perl_query([("jurisdiction_id", JURISDICTION)]))

write("fms-get-service-definition.txt", [
    "client: FixMyStreet — mysociety/fixmystreet perllib/Open311.pm get_service_meta_info (\"services/$service_id.xml\")",
    "caller: perllib/Open311/PopulateServiceList.pm _add_meta_to_contact (only when metadata is 'true')",
    FMS_PARSE,
    "expects: ref $meta->{attributes} eq 'ARRAY'; sorts by order; strips ':' from description",
], "GET /services/{{SERVICE_CODE}}.xml?" + perl_query([("jurisdiction_id", JURISDICTION)]))

write("fms-get-token.txt", [
    "client: FixMyStreet — mysociety/fixmystreet perllib/Open311.pm get_service_request_id_from_token (\"tokens/$token.xml\")",
    "when: the POST answer had no service_request_id but a token",
    FMS_PARSE,
    "expects: request->[0]->{service_request_id}; absent/empty = not yet (returns 0)",
], "GET /tokens/{{TOKEN}}.xml?" + perl_query([("jurisdiction_id", JURISDICTION)]))

write("fms-get-requests-window-utc.txt", [
    "client: FixMyStreet — mysociety/fixmystreet perllib/Open311/GetServiceRequests.pm create_problems -> perllib/Open311.pm get_service_requests",
    "dates: DateTime::Format::W3CDTF->format_datetime(DateTime->now) (UTC -> 'Z') and now - 1 hour; keys sorted by URI->query_form(\\%params)",
    FMS_PARSE,
    "expects: requests without service_request_id, lat or long are skipped; updated_datetime must parse as W3CDTF",
], "GET /requests.xml?" + perl_query([("end_date", "2026-03-01T08:15:30Z"), ("jurisdiction_id", JURISDICTION),
                                       ("start_date", "2026-03-01T07:15:30Z")]))

write("fms-get-requests-window-local.txt", [
    "client: FixMyStreet — mysociety/fixmystreet perllib/Open311/GetServiceRequests.pm with --start/--end dates in the local time zone",
    "as in t/open311/getservicerequests.t (start_date/end_date ->set_time_zone(FixMyStreet->local_time_zone)); '+' is sent as %2B, ':' as %3A",
    FMS_PARSE,
], "GET /requests.xml?" + perl_query([("end_date", "2026-03-02T10:00:00+07:00"), ("jurisdiction_id", JURISDICTION),
                                       ("start_date", "2026-03-01T06:00:00+07:00")]))

write("fms-get-requests-by-id.txt", [
    "client: FixMyStreet — mysociety/fixmystreet perllib/Open311/GetUpdates.pm update_reports -> perllib/Open311.pm get_service_requests({report_ids => [...]})",
    "ids: join ',' then URI escapes ',' as %2C — t/open311/getupdates.t expects 'service_request_id=638344%2C638345'",
    FMS_PARSE,
], "GET /requests.xml?" + perl_query([("jurisdiction_id", JURISDICTION)]) + "&service_request_id={{REQUEST_ID}}%2C{{REQUEST_ID_2}}")

write("fms-get-servicerequestupdates.txt", [
    "client: FixMyStreet — mysociety/fixmystreet perllib/Open311.pm get_service_request_updates (api_key on a GET; both dates or neither)",
    "caller: perllib/Open311/GetServiceRequestUpdates.pm (mySociety extension, not part of core GeoReport v2)",
    FMS_PARSE,
], "GET /servicerequestupdates.xml?" + perl_query([("api_key", "{{API_KEY}}"), ("end_date", "2026-03-01T08:15:30Z"),
                                                   ("jurisdiction_id", JURISDICTION), ("start_date", "2026-03-01T07:15:30Z")]))

# ---------------------------------------------------------------- FixMyStreet POSTs
title = "Ổ gà lớn trước số 12 Lê Duẩn"
detail = ("Ổ gà lớn trước số 12 Lê Duẩn, phường Buôn Ma Thuột (gần ngã sáu). "
          "Xe máy đi qua rất nguy hiểm, nhất là ban đêm & khi trời mưa.")
url = "https://phananh.daklak.gov.vn/report/1234"
description = title + "\n\n" + detail + "\n\n" + url + "\n"  # _generate_service_request_description, non-UK branch
write("fms-post-request-vi.txt", [
    "client: FixMyStreet — mysociety/fixmystreet perllib/Open311.pm send_service_request -> _populate_service_request_params -> _post (HTTP::Request::Common POST)",
    "description: _generate_service_request_description (non-UK cobrand): title \\n\\n detail \\n\\n url \\n — LF sent as %0D%0A",
    "names: split_name('Nguyễn Thị Lan') -> first_name 'Nguyễn', last_name 'Thị Lan'; lat/long: Utils::truncate_coordinate (%0.6f, trailing zeros dropped)",
    "attributes: category extra field muc_do, plus report_url/title/description as cobrands' open311_extra_data_include add (e.g. Hounslow, Peterborough)",
    "order: a Perl hash — random per process; the server must not depend on it",
    FMS_PARSE,
    "expects: request->[0]->{service_request_id} (returned unless it is a ref) else request->[0]->{token}",
], "POST /requests.xml", [FORM], perl_post_body([
    ("api_key", "{{API_KEY}}"),
    ("jurisdiction_id", JURISDICTION),
    ("service_code", "{{SERVICE_CODE}}"),
    ("description", description),
    ("first_name", "Nguyễn"),
    ("last_name", "Thị Lan"),
    ("email", "lan.nguyen@example.vn"),
    ("phone", "0912 345 678"),
    ("lat", truncate_coordinate(12.66751234)),
    ("long", truncate_coordinate(108.03829999)),
    ("media_url", "https://phananh.daklak.gov.vn/photo/1234.0.full.jpeg"),
    ("attribute[muc_do]", "nghiem_trong"),
    ("attribute[report_url]", url),
    ("attribute[title]", title),
    ("attribute[description]", detail),
]))

write("fms-post-request-t-open311.txt", [
    "client: FixMyStreet — mysociety/fixmystreet t/open311.t subtest 'posting service request' (Open311->new(test_mode) without jurisdiction or api_key)",
    "description: UK branch of _generate_service_request_description ($extra->{easting} set): 'title: ..', 'detail: ..', 'url: ..', 'Submitted via FixMyStreet'",
    "lat/long: truncate_coordinate(1) = '1', truncate_coordinate(2) = '2'",
    FMS_PARSE,
], "POST /requests.xml", [FORM], perl_post_body([
    ("description", "title: a problem\n\ndetail: problem detail\n\nurl: http://example.com/report/1\n\nSubmitted via FixMyStreet\n"),
    ("service_code", "pothole"),
    ("first_name", "Test"),
    ("last_name", "User"),
    ("email", "test@example.com"),
    ("lat", truncate_coordinate(1)),
    ("long", truncate_coordinate(2)),
]))

write("fms-post-request-uk-attributes.txt", [
    "client: FixMyStreet — mysociety/fixmystreet perllib/Open311.pm _populate_service_request_params with multi_photos (media_url repeated)",
    "attributes: open311_extra_data_include of a UK council cobrand (fixmystreet_id, easting, northing, report_url, title, description, category, group — as in the Surrey cobrand)",
    "order: Perl hash (random); media_url values keep their order (array ref)",
    FMS_PARSE,
], "POST /requests.xml", [FORM], perl_post_body([
    ("attribute[fixmystreet_id]", "4321"),
    ("attribute[easting]", "530123"),
    ("attribute[northing]", "181234"),
    ("attribute[report_url]", "https://www.fixmystreet.com/report/4321"),
    ("attribute[title]", "Pothole; 30cm deep"),
    ("attribute[description]", "Large pothole outside no. 12 — \"dangerous\" for cyclists."),
    ("attribute[category]", "Potholes"),
    ("attribute[group]", "Roads & pavements"),
    ("service_code", "{{SERVICE_CODE}}"),
    ("description", "title: Pothole; 30cm deep\n\ndetail: Large pothole outside no. 12 — \"dangerous\" for cyclists.\n\nurl: https://www.fixmystreet.com/report/4321\n\nSubmitted via FixMyStreet\n"),
    ("first_name", "Jane"),
    ("last_name", "Smith-Jones"),
    ("email", "jane+fms@example.org"),
    ("lat", truncate_coordinate(51.4021)),
    ("long", truncate_coordinate(-0.01578)),
    ("media_url", "https://www.fixmystreet.com/photo/4321.0.full.jpeg"),
    ("media_url", "https://www.fixmystreet.com/photo/4321.1.full.jpeg"),
    ("api_key", "{{API_KEY}}"),
    ("jurisdiction_id", JURISDICTION),
]))

write("fms-post-request-address-string.txt", [
    "client: FixMyStreet — mysociety/fixmystreet perllib/Open311.pm _populate_service_request_params, report without a map pin",
    "(always_send_latlong => 0, used_map false, postcode set): address_string = $problem->postcode and no lat/long — t/open311.t 'no use lat long and no map sends address instead of lat long'",
    "description: extended_description => 0 sends the detail only",
    FMS_PARSE,
], "POST /requests.xml", [FORM], perl_post_body([
    ("service_code", "{{SERVICE_CODE}}"),
    ("description", "Đèn đường hỏng cả tuần nay, khu vực tối om."),
    ("first_name", "Trần"),
    ("last_name", "Văn Bình"),
    ("email", "binh.tran@example.vn"),
    ("address_string", "45 Nguyễn Tất Thành, Buôn Ma Thuột"),
    ("api_key", "{{API_KEY}}"),
    ("jurisdiction_id", JURISDICTION),
]))

write("fms-post-request-notpinpointed.txt", [
    "client: FixMyStreet — mysociety/fixmystreet perllib/Open311.pm _populate_service_request_params with send_notpinpointed (Bromley): address_id=#NOTPINPOINTED#, no lat/long",
    "attributes: Bromley extras (report_url, report_title, public_anonymity_required, email_alerts_requested, requested_datetime (W3CDTF, local), email, last_name, service_request_id_ext)",
    "description: extended_description => 0 sends the detail only; deviceid is FixMyStreet's spelling (use_service_as_deviceid)",
    FMS_PARSE,
], "POST /requests.xml", [FORM], perl_post_body([
    ("service_code", "{{SERVICE_CODE}}"),
    ("description", "Fly-tipping behind the garages."),
    ("first_name", "Alex"),
    ("last_name", "Doe"),
    ("email", "alex@example.org"),
    ("address_id", "#NOTPINPOINTED#"),
    ("deviceid", "iPhone"),
    ("attribute[report_url]", "https://fix.bromley.gov.uk/report/99"),
    ("attribute[report_title]", "Fly-tipping"),
    ("attribute[public_anonymity_required]", "FALSE"),
    ("attribute[email_alerts_requested]", "FALSE"),
    ("attribute[requested_datetime]", "2026-03-01T08:15:30+00:00"),
    ("attribute[email]", "alex@example.org"),
    ("attribute[last_name]", "Doe"),
    ("attribute[service_request_id_ext]", "99"),
    ("api_key", "{{API_KEY}}"),
    ("jurisdiction_id", JURISDICTION),
]))

# ---------------------------------------------------------------- Python: three
write("three-get-requests-json.txt", [
    "client: three (Python, codeforamerica/three three/core.py) Three('ioc.daklak.gov.vn/open311/v2', jurisdiction='daklak.gov.vn')",
    "call: t.requests('{{SERVICE_CODE}}', status='open', start='03-01-2026', end='03-07-2026', count=50)",
    "params: _get_keywords adds jurisdiction_id, count -> page_size, start/end -> _split_date -> '%Y-%m-%dT%H:%M:%SZ' (midnight, 'Z'); requests.get(url, params=...) (urlencode, quote_plus)",
    "parse: json.loads (format defaults to json); list of dicts",
], "GET /requests.json?" + py_query([("status", "open"), ("service_code", "{{SERVICE_CODE}}"), ("jurisdiction_id", JURISDICTION),
                                      ("page_size", "50"), ("start_date", "2026-03-01T00:00:00Z"),
                                      ("end_date", "2026-03-07T00:00:00Z")]))

write("three-post-request-json.txt", [
    "client: three (Python, codeforamerica/three three/core.py) Three(..., api_key='{{API_KEY}}', jurisdiction='daklak.gov.vn')",
    "call: t.post('{{SERVICE_CODE}}', lat=12.6675, long=108.0378, description='Ổ gà lớn trước số 12 Lê Duẩn, phường Buôn Ma Thuột', name='Lan Nguyen', email='lan@example.vn', **{'attribute[muc_do]': 'nghiem_trong'})",
    "params: _post_keywords: jurisdiction_id added, name.split(' ') -> first_name/last_name (exactly two words!), api_key added; session.post(url, data=kwargs): urlencode, str(float) for lat/long",
    "parse: json.loads of the body (status >= 500: raw bytes)",
], "POST /requests.json", [FORM], py_query([
    ("lat", str(12.6675)), ("long", str(108.0378)),
    ("description", "Ổ gà lớn trước số 12 Lê Duẩn, phường Buôn Ma Thuột"),
    ("email", "lan@example.vn"), ("attribute[muc_do]", "nghiem_trong"),
    ("service_code", "{{SERVICE_CODE}}"), ("jurisdiction_id", JURISDICTION),
    ("first_name", "Lan"), ("last_name", "Nguyen"), ("api_key", "{{API_KEY}}"),
]))

# ---------------------------------------------------------------- Python: georeport
write("georeport-get-requests-json.txt", [
    "client: georeport (Python, PyPI 'georeport', repo 7673502/georeport georeport/georeport.py) GeoReport(root, jurisdiction='daklak.gov.vn')",
    "call: get_service_requests(start_date='2026-03-01T00:00:00+07:00', end_date='2026-03-31T23:59:59+07:00', status='open,closed')",
    "params: dict order start_date, end_date, status, jurisdiction_id; requests encodes '+' as %2B, ':' as %3A, ',' as %2C",
    "parse: response.json() (list); XML path: xmltodict ...['service_requests']['request'] (a dict, not a list, when there is one request)",
], "GET /requests.json?" + py_query([("start_date", "2026-03-01T00:00:00+07:00"), ("end_date", "2026-03-31T23:59:59+07:00"),
                                      ("status", "open,closed"), ("jurisdiction_id", JURISDICTION)]))

write("georeport-get-request-json.txt", [
    "client: georeport (Python, 7673502/georeport georeport/georeport.py) get_service_request('{{REQUEST_ID}}')",
    "parse: response.json()[0] — the single request must still be wrapped in an array",
], "GET /requests/{{REQUEST_ID}}.json?" + py_query([("jurisdiction_id", JURISDICTION)]))

# ---------------------------------------------------------------- Python: open311_python (old)
write("open311-python-get-service-definition.txt", [
    "client: open311 (Python, codeforamerica/open311_python open311/open311.py) service_definition('033')",
    "note: this client requests the SINGULAR path service/{code}.xml (its own test_open311.py expects '.../service/033.xml?jurisdiction_id=dc.org'); a server that wants it must alias /service/",
    "parse: XML via the Python-API-Template helper (a dict)",
], "GET /service/{{SERVICE_CODE}}.xml?" + py_query([("jurisdiction_id", JURISDICTION)]))

# ---------------------------------------------------------------- SeeClickFix validator
write("seeclickfix-validator-get-discovery.txt", [
    "client: SeeClickFix open311-validator (Ruby, SeeClickFix/open311-validator lib/client.rb HTTParty.get(base + url), tests/discovery.rb)",
    "checks: both discovery.xml and discovery.json; changeset must parse as a datetime and be in the past; formats must be an array; v2 endpoints list text/xml",
], "GET /discovery.xml")

write("seeclickfix-validator-post.txt", [
    "client: SeeClickFix open311-validator (Ruby, SeeClickFix/open311-validator tests/create.rb) HTTParty.post(url, :body => {email: 'foo@bar.com', description: 'I know'})",
    "expect: 400 — no service_code and no location (the validator only checks that something comes back)",
], "POST /requests.xml", [FORM], "email=foo%40bar.com&description=I%20know")
