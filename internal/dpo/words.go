package dpo

// wordSet is the text of the documents in one language.
type wordSet struct {
	unset string

	readmeTitle, readmeIntro, contents                             string
	idxRecord, idxMeasures, idxDPIA, idxRecipients, idxRetention   string
	idxManifest, checkTitle, checkManifest, checkAudit             string
	checkBroken, checkBrokenAll, noAudit                           string
	intact, notIntact, withNames, noNames                          string
	keptChanged, keptBroken, keptSinceUnknown, auditHeld           string
	files                                                          map[string]string
	recordTitle, recordIntro, item, entry, contactPerson           string
	rController, rDPO, rDPOText, rPurpose, rPurposeText            string
	rBasis, rBasisText, rSubjects, rSubjectsText, rData, rDataText string
	rRecipients, rRecipientsText, rTransfers, rTransfersText       string
	rRetention, rRetentionText, rMeasures, rMeasuresText           string
	noticeLinks                                                    string
	measuresTitle, measuresIntro, measure, article, howToCheck     string
	measureList                                                    [][3]string
	doctorTitle, doctorIntro, finding, whatToDo                    string
	dpiaTitle, dpiaIntro, dpiaWhy, dpiaRisks, dpiaNext             string
	dpiaReasons, nextSteps                                         []string
	risk, measureCounsel, left, redProviders                       string
	riskList                                                       [][3]string
	recipientsTitle, recipientsIntro, recipientsRole               string
	recipientsHeader                                               []string
	retentionTitle, whatData, howLong, howDeleted, retentionNote   string
	retSessions, retSessionsHow, retPurge, retPeople, retPeopleHow string
	retEvents, retEventsHow, retRevoke, retProofs, retProofsHow    string
	retRooms, retRoomsHow                                          string
	retAudit, retAuditHow, retAuditDel, retExports, retExportsHow  string
	retExportsDel                                                  string
}

// fileWhat describes a data file of the pack by its name.
func (w *wordSet) fileWhat(name string) string { return w.files[name] }

func words(lang string) *wordSet {
	if lang == "de" {
		return &de
	}
	return &en
}

var en = wordSet{
	unset:         "(not set in the configuration)",
	readmeTitle:   "Data protection pack: video consultations of %s",
	readmeIntro:   "Made by `counsel export dpo` on %s (counsel %s) for the data protection officer. It documents how counsel processes the data of video consultations and what this machine showed at that moment.",
	contents:      "Contents",
	idxRecord:     "record of processing activities (GDPR Art. 30(1))",
	idxMeasures:   "technical and organisational measures (Art. 32), each with how to check it, and the doctor results of this machine",
	idxDPIA:       "data protection impact assessment screening (Art. 35)",
	idxRecipients: "recipients and processors: the video providers with operator, rating and review dates",
	idxRetention:  "retention schedule",
	idxManifest:   "SHA-256 of every file of the pack",
	files: map[string]string{
		"audit.json":             "the audit trail with its hashes (`counsel export audit`); its envelope states the chain head",
		"audit-verify.json":      "the result of `counsel audit verify --format json` when the pack was made",
		"sessions.csv":           "the session records (`counsel export sessions`)",
		"sessions.csv.head.json": "the side file of sessions.csv: the chain head and the file's SHA-256",
		"report-by-month.csv":    "counts for funders per month (`counsel report`), no personal data",
		"report-by-provider.csv": "counts per provider (`counsel report --by provider`), no personal data",
		"doctor.json":            "the checks of this machine (`counsel doctor --format json`, keys in docs/doctor.md)",
	},
	checkTitle:       "Checking the pack",
	checkManifest:    "Every file is listed in MANIFEST with its SHA-256. In the pack's folder:",
	checkAudit:       "The audit trail ended at seq %d with hash `%s` when the pack was made. The audit export can be checked offline, and the counsellor's database later against this head (a trail cut short or rewritten since then no longer contains it):",
	checkBroken:      "The audit trail does not verify from event seq %d on (audit-verify.json names the event and why). The events before it verify, up to seq %d with hash `%s`. Keep this head: once the counsellor has restored the database file from a backup made before the break, the restored trail can be checked against it (a trail cut short or rewritten before that event no longer contains it):",
	checkBrokenAll:   "The audit trail does not verify from event seq %d on, its first event (audit-verify.json names the event and why): no event of it can be vouched for.",
	noAudit:          "**audit.json is not in this pack**: the audit event at seq %d can no longer be read as an event (its time or details were edited outside counsel into a form counsel never writes), so the trail cannot be exported. audit-verify.json records the break. The counsellor should keep a copy of the damaged database file as evidence and restore the database file from a backup made before the break; a pack made after that holds audit.json again.",
	intact:           "When the pack was made, `counsel audit verify` found the trail and the records intact (audit-verify.json).",
	notIntact:        "**When the pack was made, `counsel audit verify` found problems**: see audit-verify.json and docs/auditing.md.",
	keptChanged:      "**Due records are being kept**: since %s, %d withdrawal proof(s) or remembered room(s) whose retention has ended are not deleted, because they were changed outside counsel after counsel last recorded them (by someone with the database file, e.g. with the sqlite3 shell; the purge events in audit.json count them in `kept_tampered`). Deleting them would hide the change. The counsellor should restore the database file from a backup made before the change; `counsel audit verify` (audit-verify.json) names the rows.",
	keptBroken:       "**Due records are being kept**: since %s, %d withdrawal proof(s) or remembered room(s) whose retention has ended are not deleted, because the audit trail does not verify, so counsel cannot tell which records were changed outside counsel (the purge events in audit.json count them in `kept_tampered`, with `kept_reason` `trail_broken`). They are kept until the trail is restored. The counsellor should restore the database file from a backup made before the break; `counsel audit verify` (audit-verify.json) names the break.",
	keptSinceUnknown: "a time the trail no longer shows",
	auditHeld:        "**Audit retention is held**: the audit trail does not verify, so `counsel purge` removes no audit event, not even one past its retention period (%d years after the end of its year): old audit events are being kept past their retention, as evidence of the break. This ends once the damage is dealt with: the counsellor keeps a copy of the damaged database file as evidence and restores the database file from a backup made before the break (docs/auditing.md); once the trail verifies again, the next purge removes the events that are due.",
	withNames:        "**This pack holds client names** (`--with-names`, recorded in the audit trail): it is health data. Hand it over encrypted and delete copies that are no longer needed.",
	noNames:          "The pack holds no client names: sessions are listed by a subject ID that means nothing outside the database.",

	recordTitle:     "Record of processing activities (GDPR Art. 30(1))",
	recordIntro:     "Processing activity: planning and holding peer-counselling video consultations with counsel. Filled from counsel's configuration and provider list; the organisation completes what counsel cannot know.",
	item:            "Item",
	entry:           "Entry",
	contactPerson:   "contact",
	rController:     "Controller (Art. 30(1)(a))",
	rDPO:            "Data protection officer",
	rDPOText:        "to be named by the organisation",
	rPurpose:        "Purposes (b)",
	rPurposeText:    "planning and holding peer-counselling video consultations; proving consent (Art. 7(1)) and its withdrawal",
	rBasis:          "Legal basis",
	rBasisText:      "explicit consent, Art. 6(1)(a) and Art. 9(2)(a) GDPR; the withdrawal proof: Art. 7(1), Art. 17(3)(e)",
	rSubjects:       "Categories of data subjects (c)",
	rSubjectsText:   "people seeking peer counselling (clients); the counsellor as the user who records",
	rData:           "Categories of personal data (c)",
	rDataText:       "name or pseudonym; date, time, duration and place of each session; video provider, meeting ID or room link; consent events (notice sent with the text's version and SHA-256, consent given and how); withdrawal proof (keyed hash of the name, dates, text hashes). By context special-category data (Art. 9: health). No e-mail address is stored.",
	rRecipients:     "Recipients (d)",
	rRecipientsText: "The video provider of a session receives the connection data of the call (see 04-recipients-and-processors.md). No other recipient.",
	rTransfers:      "Transfers to third countries (e)",
	rTransfersText:  "none intended; each provider's data location is in 04-recipients-and-processors.md",
	rRetention:      "Time limits for erasure (f)",
	rRetentionText:  "session records %d days after the session; the person with their last session; consent events with the person or at withdrawal; withdrawal proofs %d years after the end of the year of withdrawal (05-retention-schedule.md)",
	rMeasures:       "Technical and organisational measures (g)",
	rMeasuresText:   "02-technical-and-organisational-measures.md",
	noticeLinks:     "Consent declaration: %s. Privacy policy: %s. Withdrawal contact: %s. Supervisory authority named to clients: %s.",

	measuresTitle: "Technical and organisational measures (GDPR Art. 32)",
	measuresIntro: "What counsel does, and how a data protection officer can check each measure without taking the counsellor's word for it.",
	measure:       "Measure",
	article:       "GDPR",
	howToCheck:    "How to check",
	measureList: [][3]string{
		{"Data minimisation: only name or pseudonym, date, time, place, provider, meeting ID or link and consent events are stored; an e-mail address is used for the invitation and never stored", "Art. 5(1)(c), 25", "`sqlite3 counsel.db .schema`; the test TestSchemaHoldsNoOtherPersonalColumn fails when a personal column is added"},
		{"Explicit, provable consent: events are appended, never overwritten; each notice records the SHA-256 and version of the exact text sent", "Art. 7(1), 9(2)(a)", "`counsel consent show CLIENT`; `counsel export subject CLIENT`"},
		{"Withdrawal as easy as consent and real erasure: one command cancels, erases the name, overwrites deleted bytes (secure_delete) and truncates the write-ahead log", "Art. 7(3), 17", "`counsel consent revoke --dry-run`; the tests TestRevokeLeavesNoTraceOnDisk and TestPurgeLeavesNoTraceOnDisk scan the database file and its journal"},
		{"Storage limitation: expired records are purged automatically and by `counsel purge`, each purge an audit event", "Art. 5(1)(e)", "`counsel purge --dry-run`; 05-retention-schedule.md"},
		{"Integrity: a hash-chained audit trail; every record row is bound to it; exports state the chain head", "Art. 5(1)(f), 32(1)(b)", "`counsel audit verify` (and `--head HASH` with the head in README.md); audit-verify.json of this pack"},
		{"No names in errors, logs or the audit trail: IDs only", "Art. 5(1)(f), 32", "audit.json of this pack holds IDs, counts and dates; the end-to-end tests check error messages for names"},
		{"Confidential meetings: a Jitsi room is 24 characters from a cryptographic random source (about 124 bits); a hand-given room is judged with the zxcvbn estimator and refused below 80 bits; the pre-join page is on; a display name is never put in a link", "Art. 32(1)(b)", "`counsel session new --url https://HOST/test` is refused; docs/providers.md"},
		{"Vetted providers only: a retired provider is refused, a deprecated one or an overdue review warns", "Art. 28, 32", "`counsel providers list`; the provider_review check below"},
		{"Private files: the database folder is 0700, files 0600; exports are written whole or not at all and never overwrite without --force", "Art. 32(1)(b)", "the file_modes check below; `ls -l`"},
		{"Withdrawal proofs cannot be matched without the proof key, which lives outside the database", "Art. 32(1)(a)", "the proof_key check below; `counsel audit verify` reports whether the key matches"},
		{"A meeting room whose sessions were erased or purged is given to no later session while its digest is kept (as long as a withdrawal proof, 05-retention-schedule.md): counsel keeps a digest of each such room under the proof key, never the link or the meeting ID. Not covered: the rooms a purge could not remember because the proof key could not be read (it warns, and its audit event counts them as rooms_unremembered), and after a new key (`counsel consent new-key --lost`) the rooms remembered before", "Art. 5(1)(f), 32(1)(b)", "`counsel session new` with the meeting ID of a withdrawn client's session is refused; docs/data-protection.md, \"Rooms counsel no longer stores\""},
		{"Encrypted disk, no cloud-synced folder (the organisation's measure; counsel checks it)", "Art. 32(1)(a)", "the disk_encryption and cloud_sync checks below; `counsel doctor`"},
	},
	doctorTitle: "This machine (`counsel doctor`, %s)",
	doctorIntro: "Status ok, warn, fail or unknown; unknown means counsel could not tell, never that it guessed. The same in doctor.json.",
	finding:     "Finding",
	whatToDo:    "What to do",

	dpiaTitle: "DPIA screening (GDPR Art. 35)",
	dpiaIntro: "A starting point for the organisation's own assessment, not the assessment itself.",
	dpiaWhy:   "Why a DPIA is likely required",
	dpiaReasons: []string{
		"That someone attends peer counselling about psychiatric experience is health data (Art. 9(1)).",
		"Health data of people who seek counselling are among the cases on the German supervisory authorities' list of processing that needs a DPIA (DSK list under Art. 35(4)); the organisation checks the current version of the list.",
		"Video providers are third parties with their own processing of connection data; free public Jitsi instances and Blizz were rated red by the Berlin authority.",
	},
	dpiaRisks:      "Risks and what counsel does about them",
	risk:           "Risk",
	measureCounsel: "What counsel does",
	left:           "What is left to the organisation",
	riskList: [][3]string{
		{"Someone learns that a person attends counselling (a lost or shared laptop, a copy of the database)", "minimal records; names erased on withdrawal; private files; doctor checks disk encryption and sync folders", "full-disk encryption, screen lock, backups on encrypted media"},
		{"An uninvited person joins a video meeting", "unguessable Jitsi rooms (124 bits), weak hand-given rooms refused, pre-join page; Blizz: a scheduled meeting with a password is asked for", "tell clients not to forward links; lobby or password where the provider offers it"},
		{"The provider processes connection data for its own purposes or outside the EU", "vetted provider list with operator, data location, rating, review dates; deprecated and retired providers warned and refused", "agreements under Art. 28 where the provider is a processor; choose providers rated green"},
		{"Records are kept too long", "automatic purge after the configured periods, audited", "set periods that match the organisation's policy"},
		{"Records are changed or deleted unnoticed", "hash-chained trail binding every record row; exports state the head", "keep a head from each pack and check it at the next audit"},
		{"Consent is not explicit or not provable", "the invitation asks for a reply of agreement; consent events with the text's hash", "a counsellor records consent only when it was given"},
	},
	redProviders: "Providers on the list with a red authority rating: %s. Using them needs a reason the assessment records.",
	dpiaNext:     "Next steps for the organisation",
	nextSteps: []string{
		"Decide whether a full DPIA is required and record the decision (Art. 35(1)).",
		"Describe the processing with this pack (01, 02, 04, 05) and weigh the risks above.",
		"Close agreements with the video providers where they act as processors (Art. 28).",
		"Consult the data protection officer (Art. 35(2)) and review the assessment when providers or the tool change.",
	},

	recipientsTitle:  "Recipients and processors",
	recipientsIntro:  "The vetted video providers (`counsel providers list`). A provider receives the connection data of the sessions held with it. The sessions export of this pack shows which provider each session used.",
	recipientsHeader: []string{"id", "Name", "Kind", "Operator", "Data location", "Status", "Authority rating", "Reviewed", "Review due", "Privacy policy"},
	recipientsRole:   "Role (Art. 26, 28): counsel cannot decide whether a provider acts as the organisation's processor or as a controller of its own; the organisation records that per provider and concludes agreements under Art. 28 where needed.",

	retentionTitle: "Retention schedule",
	whatData:       "Data",
	howLong:        "Kept",
	howDeleted:     "Deleted by",
	retSessions:    "session record",
	retSessionsHow: "until %d days after the session (config retention_session_days)",
	retPurge:       "automatic purge at each write command, or `counsel purge`; an audit event each time",
	retPeople:      "person (name or pseudonym)",
	retPeopleHow:   "while a session of the person is kept; erased at once on withdrawal",
	retEvents:      "consent events",
	retEventsHow:   "with the person; deleted on withdrawal (folded into the proof)",
	retRevoke:      "`counsel consent revoke`, or the purge of the person",
	retProofs:      "withdrawal proof (keyed hash of the name, dates, text hashes)",
	retProofsHow:   "until %d years after the end of the year of withdrawal (config retention_consent_years)",
	retRooms:       "remembered rooms of erased or purged sessions (keyed digests, no link or meeting ID)",
	retRoomsHow:    "until %d years after the end of the year the room was forgotten (config retention_consent_years)",
	retAudit:       "audit trail (IDs, counts, dates; no names)",
	retAuditHow:    "until %d years after the end of the event's year (config retention_audit_years); the trail continues from a checkpoint",
	retAuditDel:    "the automatic purge; the checkpoint keeps the chain verifiable",
	retExports:     "exports, this pack, letters to clients",
	retExportsHow:  "as long as the recipient needs them",
	retExportsDel:  "the holder of the copy; counsel does not track copies",
	retentionNote:  "Deleted bytes are overwritten in the database file and its write-ahead log (secure_delete, checkpoint after erasure).",
}

var de = wordSet{
	unset:         "(in der Konfiguration nicht gesetzt)",
	readmeTitle:   "Datenschutz-Paket: Videoberatungen von %s",
	readmeIntro:   "Erstellt mit `counsel export dpo` am %s (counsel %s) für die Datenschutzbeauftragte oder den Datenschutzbeauftragten. Es dokumentiert, wie counsel die Daten der Videoberatungen verarbeitet und was dieser Rechner in diesem Moment zeigte.",
	contents:      "Inhalt",
	idxRecord:     "Verzeichnis von Verarbeitungstätigkeiten (DSGVO Art. 30 Abs. 1)",
	idxMeasures:   "technische und organisatorische Maßnahmen (Art. 32), jeweils mit Prüfweg, und die doctor-Ergebnisse dieses Rechners",
	idxDPIA:       "Schwellwertanalyse zur Datenschutz-Folgenabschätzung (Art. 35)",
	idxRecipients: "Empfänger und Auftragsverarbeiter: die Videoanbieter mit Betreiber, Bewertung und Prüfdaten",
	idxRetention:  "Löschkonzept",
	idxManifest:   "SHA-256 jeder Datei des Pakets",
	files: map[string]string{
		"audit.json":             "das Prüfprotokoll mit seinen Hashes (`counsel export audit`); sein Umschlag nennt den Kopf der Kette",
		"audit-verify.json":      "das Ergebnis von `counsel audit verify --format json` bei Erstellung des Pakets",
		"sessions.csv":           "die Sitzungsdatensätze (`counsel export sessions`)",
		"sessions.csv.head.json": "die Begleitdatei von sessions.csv: Kopf der Kette und SHA-256 der Datei",
		"report-by-month.csv":    "Zahlen für Geldgeber je Monat (`counsel report`), keine personenbezogenen Daten",
		"report-by-provider.csv": "Zahlen je Anbieter (`counsel report --by provider`), keine personenbezogenen Daten",
		"doctor.json":            "die Prüfungen dieses Rechners (`counsel doctor --format json`, Schlüssel in docs/doctor.md)",
	},
	checkTitle:       "Das Paket prüfen",
	checkManifest:    "Jede Datei steht mit ihrer SHA-256 in MANIFEST. Im Ordner des Pakets:",
	checkAudit:       "Das Prüfprotokoll endete bei Erstellung des Pakets bei seq %d mit dem Hash `%s`. Der Export lässt sich offline prüfen, die Datenbank der beratenden Person später gegen diesen Kopf (ein seither gekürztes oder neu geschriebenes Protokoll enthält ihn nicht mehr):",
	checkBroken:      "Das Prüfprotokoll ist ab Ereignis seq %d nicht in Ordnung (audit-verify.json nennt das Ereignis und den Grund). Die Ereignisse davor sind in Ordnung, bis seq %d mit dem Hash `%s`. Bewahren Sie diesen Kopf auf: hat die beratende Person die Datenbankdatei aus einer Sicherung von vor dem Bruch wiederhergestellt, lässt sich das wiederhergestellte Protokoll gegen ihn prüfen (ein Protokoll, das vor diesem Ereignis gekürzt oder neu geschrieben wurde, enthält ihn nicht mehr):",
	checkBrokenAll:   "Das Prüfprotokoll ist ab Ereignis seq %d, seinem ersten, nicht in Ordnung (audit-verify.json nennt das Ereignis und den Grund): für keines seiner Ereignisse lässt sich einstehen.",
	noAudit:          "**audit.json ist nicht in diesem Paket**: das Protokollereignis seq %d lässt sich nicht mehr als Ereignis lesen (seine Zeit oder seine Angaben wurden außerhalb von counsel in eine Form geändert, die counsel nie schreibt), daher lässt sich das Prüfprotokoll nicht exportieren. audit-verify.json hält den Bruch fest. Die beratende Person sollte eine Kopie der beschädigten Datenbankdatei als Beweis aufbewahren und die Datenbankdatei aus einer Sicherung von vor dem Bruch wiederherstellen; ein danach erstelltes Paket enthält audit.json wieder.",
	intact:           "Bei Erstellung des Pakets fand `counsel audit verify` Prüfprotokoll und Datensätze unversehrt (audit-verify.json).",
	notIntact:        "**Bei Erstellung des Pakets fand `counsel audit verify` Probleme**: siehe audit-verify.json und docs/auditing.md.",
	keptChanged:      "**Fällige Datensätze werden aufbewahrt**: seit %s werden %d Widerrufsnachweis(e) oder gemerkte(r) Raum/Räume mit abgelaufener Aufbewahrungsfrist nicht gelöscht, weil sie außerhalb von counsel geändert wurden, nachdem counsel sie zuletzt festgehalten hatte (von jemandem mit der Datenbankdatei, etwa mit der sqlite3-Shell; die Lösch-Ereignisse in audit.json zählen sie in `kept_tampered`). Sie zu löschen würde die Änderung verbergen. Die beratende Person sollte die Datenbankdatei aus einer Sicherung von vor der Änderung wiederherstellen; `counsel audit verify` (audit-verify.json) nennt die Datensätze.",
	keptBroken:       "**Fällige Datensätze werden aufbewahrt**: seit %s werden %d Widerrufsnachweis(e) oder gemerkte(r) Raum/Räume mit abgelaufener Aufbewahrungsfrist nicht gelöscht, weil das Prüfprotokoll nicht in Ordnung ist und counsel daher nicht erkennen kann, welche Datensätze außerhalb von counsel geändert wurden (die Lösch-Ereignisse in audit.json zählen sie in `kept_tampered`, mit `kept_reason` `trail_broken`). Sie bleiben erhalten, bis das Prüfprotokoll wiederhergestellt ist. Die beratende Person sollte die Datenbankdatei aus einer Sicherung von vor dem Bruch wiederherstellen; `counsel audit verify` (audit-verify.json) nennt den Bruch.",
	keptSinceUnknown: "einem Zeitpunkt, den das Prüfprotokoll nicht mehr zeigt",
	auditHeld:        "**Die Löschfrist des Prüfprotokolls ist ausgesetzt**: das Prüfprotokoll ist nicht in Ordnung, daher löscht `counsel purge` kein Protokollereignis, auch keines, dessen Aufbewahrungsfrist (%d Jahre nach Ende des Jahres des Ereignisses) abgelaufen ist: alte Protokollereignisse werden über ihre Frist hinaus aufbewahrt, als Beweis für den Bruch. Das endet, sobald der Schaden behoben ist: die beratende Person bewahrt eine Kopie der beschädigten Datenbankdatei als Beweis auf und stellt die Datenbankdatei aus einer Sicherung von vor dem Bruch wieder her (docs/auditing.md); sobald das Prüfprotokoll wieder in Ordnung ist, löscht die nächste Löschung die fälligen Ereignisse.",
	withNames:        "**Dieses Paket enthält Namen von Ratsuchenden** (`--with-names`, im Prüfprotokoll vermerkt): es sind Gesundheitsdaten. Nur verschlüsselt weitergeben und nicht mehr benötigte Kopien löschen.",
	noNames:          "Das Paket enthält keine Namen von Ratsuchenden: Sitzungen stehen unter einer Personen-ID, die außerhalb der Datenbank nichts bedeutet.",

	recordTitle:     "Verzeichnis von Verarbeitungstätigkeiten (DSGVO Art. 30 Abs. 1)",
	recordIntro:     "Verarbeitungstätigkeit: Planung und Durchführung von Peer-Videoberatungen mit counsel. Ausgefüllt aus der Konfiguration und der Anbieterliste von counsel; was counsel nicht wissen kann, ergänzt die Organisation.",
	item:            "Angabe",
	entry:           "Eintrag",
	contactPerson:   "Kontakt",
	rController:     "Verantwortlicher (Art. 30 Abs. 1 lit. a)",
	rDPO:            "Datenschutzbeauftragte(r)",
	rDPOText:        "von der Organisation zu benennen",
	rPurpose:        "Zwecke (lit. b)",
	rPurposeText:    "Planung und Durchführung von Peer-Videoberatungen; Nachweis der Einwilligung (Art. 7 Abs. 1) und ihres Widerrufs",
	rBasis:          "Rechtsgrundlage",
	rBasisText:      "ausdrückliche Einwilligung, Art. 6 Abs. 1 lit. a und Art. 9 Abs. 2 lit. a DSGVO; Widerrufsnachweis: Art. 7 Abs. 1, Art. 17 Abs. 3 lit. e",
	rSubjects:       "Kategorien betroffener Personen (lit. c)",
	rSubjectsText:   "Menschen, die Peer-Beratung suchen (Ratsuchende); die beratende Person als erfassende Nutzerin",
	rData:           "Kategorien personenbezogener Daten (lit. c)",
	rDataText:       "Name oder Pseudonym; Datum, Uhrzeit, Dauer und Ort jeder Sitzung; Videoanbieter, Meeting-ID oder Raumlink; Einwilligungsereignisse (Hinweis verschickt mit Fassung und SHA-256 des Textes, Einwilligung erteilt und wie); Widerrufsnachweis (mit dem Nachweisschlüssel gebildeter Hash (HMAC) des Namens, Daten, Text-Hashes). Aus dem Zusammenhang besondere Kategorien (Art. 9: Gesundheit). Keine E-Mail-Adresse wird gespeichert.",
	rRecipients:     "Empfänger (lit. d)",
	rRecipientsText: "Der Videoanbieter einer Sitzung erhält die Verbindungsdaten des Gesprächs (siehe 04-recipients-and-processors.md). Keine weiteren Empfänger.",
	rTransfers:      "Übermittlungen in Drittländer (lit. e)",
	rTransfersText:  "keine vorgesehen; der Datenstandort jedes Anbieters steht in 04-recipients-and-processors.md",
	rRetention:      "Löschfristen (lit. f)",
	rRetentionText:  "Sitzungsdatensätze %d Tage nach der Sitzung; die Person mit ihrer letzten Sitzung; Einwilligungsereignisse mit der Person oder beim Widerruf; Widerrufsnachweise %d Jahre nach Ende des Jahres des Widerrufs (05-retention-schedule.md)",
	rMeasures:       "Technische und organisatorische Maßnahmen (lit. g)",
	rMeasuresText:   "02-technical-and-organisational-measures.md",
	noticeLinks:     "Einwilligungserklärung: %s. Datenschutzerklärung: %s. Kontakt für den Widerruf: %s. Den Ratsuchenden genannte Aufsichtsbehörde: %s.",

	measuresTitle: "Technische und organisatorische Maßnahmen (DSGVO Art. 32)",
	measuresIntro: "Was counsel tut, und wie die oder der Datenschutzbeauftragte jede Maßnahme prüfen kann, ohne sich auf das Wort der beratenden Person zu verlassen.",
	measure:       "Maßnahme",
	article:       "DSGVO",
	howToCheck:    "Prüfweg",
	measureList: [][3]string{
		{"Datenminimierung: gespeichert werden nur Name oder Pseudonym, Datum, Uhrzeit, Ort, Anbieter, Meeting-ID oder Link und Einwilligungsereignisse; eine E-Mail-Adresse dient nur der Einladung und wird nie gespeichert", "Art. 5 Abs. 1 lit. c, 25", "`sqlite3 counsel.db .schema`; der Test TestSchemaHoldsNoOtherPersonalColumn schlägt fehl, wenn eine personenbezogene Spalte hinzukommt"},
		{"Ausdrückliche, nachweisbare Einwilligung: Ereignisse werden angehängt, nie überschrieben; jeder Hinweis vermerkt SHA-256 und Fassung des verschickten Textes", "Art. 7 Abs. 1, 9 Abs. 2 lit. a", "`counsel consent show CLIENT`; `counsel export subject CLIENT`"},
		{"Widerruf so einfach wie die Einwilligung, echte Löschung: ein Befehl sagt ab, löscht den Namen, überschreibt gelöschte Bytes (secure_delete) und kürzt das Write-Ahead-Log", "Art. 7 Abs. 3, 17", "`counsel consent revoke --dry-run`; die Tests TestRevokeLeavesNoTraceOnDisk und TestPurgeLeavesNoTraceOnDisk durchsuchen Datenbankdatei und Journal"},
		{"Speicherbegrenzung: abgelaufene Datensätze werden automatisch und mit `counsel purge` gelöscht, jede Löschung ein Protokollereignis", "Art. 5 Abs. 1 lit. e", "`counsel purge --dry-run`; 05-retention-schedule.md"},
		{"Integrität: ein hash-verkettetes Prüfprotokoll; jede Datensatzzeile ist daran gebunden; Exporte nennen den Kopf der Kette", "Art. 5 Abs. 1 lit. f, 32 Abs. 1 lit. b", "`counsel audit verify` (und `--head HASH` mit dem Kopf aus README.md); audit-verify.json dieses Pakets"},
		{"Keine Namen in Fehlermeldungen, Logs oder im Prüfprotokoll: nur IDs", "Art. 5 Abs. 1 lit. f, 32", "audit.json dieses Pakets enthält IDs, Anzahlen und Daten; die End-to-End-Tests prüfen Fehlermeldungen auf Namen"},
		{"Vertrauliche Treffen: ein Jitsi-Raum hat 24 Zeichen aus einer kryptographischen Zufallsquelle (etwa 124 Bit); ein von Hand gegebener Raum wird mit dem zxcvbn-Schätzer bewertet und unter 80 Bit abgelehnt; die Vorschaltseite ist an; ein Anzeigename kommt nie in einen Link", "Art. 32 Abs. 1 lit. b", "`counsel session new --url https://HOST/test` wird abgelehnt; docs/providers.md"},
		{"Nur geprüfte Anbieter: ein eingestellter Anbieter wird abgelehnt, ein veralteter oder eine überfällige Prüfung führt zu einer Warnung", "Art. 28, 32", "`counsel providers list`; die Prüfung provider_review unten"},
		{"Private Dateien: der Datenbankordner ist 0700, Dateien 0600; Exporte entstehen ganz oder gar nicht und überschreiben nie ohne --force", "Art. 32 Abs. 1 lit. b", "die Prüfung file_modes unten; `ls -l`"},
		{"Widerrufsnachweise lassen sich ohne den Nachweisschlüssel nicht zuordnen; er liegt außerhalb der Datenbank", "Art. 32 Abs. 1 lit. a", "die Prüfung proof_key unten; `counsel audit verify` meldet, ob der Schlüssel passt"},
		{"Ein Besprechungsraum, dessen Sitzungen gelöscht wurden, wird keiner späteren Sitzung gegeben, solange sein Hash aufbewahrt wird (so lange wie ein Widerrufsnachweis, 05-retention-schedule.md): counsel behält von jedem solchen Raum einen mit dem Nachweisschlüssel gebildeten Hash, nie den Link oder die Meeting-ID. Nicht erfasst: Räume, die eine Löschung nicht merken konnte, weil sich der Nachweisschlüssel nicht lesen ließ (sie warnt, und ihr Protokollereignis zählt sie als rooms_unremembered), und nach einem neuen Schlüssel (`counsel consent new-key --lost`) die zuvor gemerkten Räume", "Art. 5 Abs. 1 lit. f, Art. 32 Abs. 1 lit. b", "`counsel session new` mit der Meeting-ID einer Sitzung einer Person, die widerrufen hat, wird abgelehnt; docs/data-protection.md, \"Rooms counsel no longer stores\""},
		{"Verschlüsselte Festplatte, kein Cloud-Sync-Ordner (Maßnahme der Organisation; counsel prüft sie)", "Art. 32 Abs. 1 lit. a", "die Prüfungen disk_encryption und cloud_sync unten; `counsel doctor`"},
	},
	doctorTitle: "Dieser Rechner (`counsel doctor`, %s)",
	doctorIntro: "Status ok, warn, fail oder unknown; unknown heißt, counsel konnte es nicht feststellen, nie, dass geraten wurde. Dasselbe in doctor.json.",
	finding:     "Befund",
	whatToDo:    "Was zu tun ist",

	dpiaTitle: "Schwellwertanalyse zur Datenschutz-Folgenabschätzung (DSGVO Art. 35)",
	dpiaIntro: "Ein Ausgangspunkt für die eigene Abschätzung der Organisation, nicht die Abschätzung selbst.",
	dpiaWhy:   "Warum eine DSFA wahrscheinlich nötig ist",
	dpiaReasons: []string{
		"Dass jemand Peer-Beratung zu psychischen Krisenerfahrungen in Anspruch nimmt, ist ein Gesundheitsdatum (Art. 9 Abs. 1).",
		"Gesundheitsdaten von Menschen, die Beratung suchen, gehören zu den Fällen auf der Liste der deutschen Aufsichtsbehörden, für die eine DSFA nötig ist (DSK-Liste nach Art. 35 Abs. 4); die Organisation prüft die aktuelle Fassung der Liste.",
		"Videoanbieter sind Dritte mit eigener Verarbeitung von Verbindungsdaten; freie öffentliche Jitsi-Server und Blizz bewertete die Berliner Behörde mit rot.",
	},
	dpiaRisks:      "Risiken und was counsel dagegen tut",
	risk:           "Risiko",
	measureCounsel: "Was counsel tut",
	left:           "Was bei der Organisation bleibt",
	riskList: [][3]string{
		{"Jemand erfährt, dass eine Person Beratung in Anspruch nimmt (verlorener oder geteilter Laptop, Kopie der Datenbank)", "minimale Datensätze; Namen beim Widerruf gelöscht; private Dateien; doctor prüft Festplattenverschlüsselung und Sync-Ordner", "vollständige Festplattenverschlüsselung, Bildschirmsperre, Sicherungen auf verschlüsselten Medien"},
		{"Eine ungebetene Person betritt ein Videotreffen", "nicht erratbare Jitsi-Räume (124 Bit), schwache Räume von Hand abgelehnt, Vorschaltseite; Blizz: ein geplantes Meeting mit Passwort wird verlangt", "Ratsuchende bitten, Links nicht weiterzugeben; Lobby oder Passwort, wo der Anbieter es bietet"},
		{"Der Anbieter verarbeitet Verbindungsdaten für eigene Zwecke oder außerhalb der EU", "geprüfte Anbieterliste mit Betreiber, Datenstandort, Bewertung, Prüfdaten; veraltete und eingestellte Anbieter gewarnt und abgelehnt", "Verträge nach Art. 28, wo der Anbieter Auftragsverarbeiter ist; grün bewertete Anbieter wählen"},
		{"Datensätze werden zu lange aufbewahrt", "automatische Löschung nach den eingestellten Fristen, protokolliert", "Fristen passend zur Richtlinie der Organisation einstellen"},
		{"Datensätze werden unbemerkt geändert oder gelöscht", "hash-verkettetes Protokoll, an das jede Datensatzzeile gebunden ist; Exporte nennen den Kopf", "aus jedem Paket einen Kopf aufbewahren und beim nächsten Audit prüfen"},
		{"Die Einwilligung ist nicht ausdrücklich oder nicht nachweisbar", "die Einladung bittet um eine zustimmende Antwort; Einwilligungsereignisse mit Hash des Textes", "die beratende Person erfasst eine Einwilligung nur, wenn sie erteilt wurde"},
	},
	redProviders: "Anbieter der Liste mit roter Bewertung einer Behörde: %s. Ihre Nutzung braucht eine Begründung, die die Abschätzung festhält.",
	dpiaNext:     "Nächste Schritte der Organisation",
	nextSteps: []string{
		"Entscheiden, ob eine vollständige DSFA nötig ist, und die Entscheidung dokumentieren (Art. 35 Abs. 1).",
		"Die Verarbeitung mit diesem Paket beschreiben (01, 02, 04, 05) und die Risiken oben abwägen.",
		"Mit den Videoanbietern Verträge schließen, wo sie Auftragsverarbeiter sind (Art. 28).",
		"Die oder den Datenschutzbeauftragten beteiligen (Art. 35 Abs. 2) und die Abschätzung prüfen, wenn sich Anbieter oder Werkzeug ändern.",
	},

	recipientsTitle:  "Empfänger und Auftragsverarbeiter",
	recipientsIntro:  "Die geprüften Videoanbieter (`counsel providers list`). Ein Anbieter erhält die Verbindungsdaten der Sitzungen bei ihm. Der Sitzungsexport dieses Pakets zeigt, welchen Anbieter jede Sitzung nutzte.",
	recipientsHeader: []string{"id", "Name", "Art", "Betreiber", "Datenstandort", "Status", "Bewertung einer Behörde", "Geprüft", "Prüfung fällig", "Datenschutzerklärung"},
	recipientsRole:   "Rolle (Art. 26, 28): counsel kann nicht entscheiden, ob ein Anbieter Auftragsverarbeiter der Organisation oder selbst Verantwortlicher ist; die Organisation hält das je Anbieter fest und schließt wo nötig Verträge nach Art. 28.",

	retentionTitle: "Löschkonzept",
	whatData:       "Daten",
	howLong:        "Aufbewahrt",
	howDeleted:     "Gelöscht durch",
	retSessions:    "Sitzungsdatensatz",
	retSessionsHow: "bis %d Tage nach der Sitzung (Konfiguration retention_session_days)",
	retPurge:       "automatische Löschung bei jedem schreibenden Befehl oder `counsel purge`; jedes Mal ein Protokollereignis",
	retPeople:      "Person (Name oder Pseudonym)",
	retPeopleHow:   "solange eine Sitzung der Person aufbewahrt wird; beim Widerruf sofort gelöscht",
	retEvents:      "Einwilligungsereignisse",
	retEventsHow:   "mit der Person; beim Widerruf gelöscht (im Nachweis zusammengefasst)",
	retRevoke:      "`counsel consent revoke` oder die Löschung der Person",
	retProofs:      "Widerrufsnachweis (mit dem Nachweisschlüssel gebildeter Hash (HMAC) des Namens, Daten, Text-Hashes)",
	retProofsHow:   "bis %d Jahre nach Ende des Jahres des Widerrufs (Konfiguration retention_consent_years)",
	retRooms:       "gemerkte Räume gelöschter Sitzungen (mit dem Nachweisschlüssel gebildete Hashes, kein Link, keine Meeting-ID)",
	retRoomsHow:    "bis %d Jahre nach Ende des Jahres, in dem der Raum gelöscht wurde (Konfiguration retention_consent_years)",
	retAudit:       "Prüfprotokoll (IDs, Anzahlen, Daten; keine Namen)",
	retAuditHow:    "bis %d Jahre nach Ende des Jahres des Ereignisses (Konfiguration retention_audit_years); das Protokoll setzt an einem Checkpoint fort",
	retAuditDel:    "die automatische Löschung; der Checkpoint hält die Kette prüfbar",
	retExports:     "Exporte, dieses Paket, Briefe an Ratsuchende",
	retExportsHow:  "solange die Empfänger sie brauchen",
	retExportsDel:  "wer die Kopie hat; counsel verfolgt Kopien nicht",
	retentionNote:  "Gelöschte Bytes werden in der Datenbankdatei und ihrem Write-Ahead-Log überschrieben (secure_delete, Checkpoint nach der Löschung).",
}
