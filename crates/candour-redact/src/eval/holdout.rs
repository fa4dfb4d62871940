//! The held-out template family: different phrasing, document types (emails,
//! handover notes, screenshot text), name pools and vocabulary from the main family.
//! It was written before it was ever scored and is not used for tuning, so its
//! figures estimate performance on text the detectors were not adjusted to.

use super::{Family, Pool};

#[rustfmt::skip]
const POOLS: &[Pool] = &[
    (
        "English",
        &[
            "Abigail", "Imogen", "Poppy", "Ruth", "Brenda", "Tracey", "Stacey", "Natalie", "Felicity", "Daisy",
            "Joy", "Faith", "Ivy",
        ],
        &[
            "Toby", "Callum", "Nathan", "Graham", "Colin", "Stuart", "Barry", "Ronald", "Sidney", "Archie", "Carl",
            "Dean",
        ],
        &[
            "Fairbrother", "Entwistle", "Cartwright", "Lambert", "Baxter", "Pollard", "Heywood", "Kershaw",
            "Marsden", "Oldroyd", "Scholes", "Booth", "Moss", "Fox", "Bird", "Little", "Rice", "Sharp", "Lamb",
            "Shepherd",
        ],
    ),
    (
        "Irish",
        &["Bláthnaid", "Aisling", "Éabha", "Muireann", "Deirbhile"],
        &["Conall", "Fionnán", "Tomás", "Cathal", "Peadar"],
        &[
            "Ó Súilleabháin", "Mac Giolla", "Ní Mhurchú", "Breathnach", "Ó Ceallaigh", "Kavanagh", "Moynihan",
            "Scanlon",
        ],
    ),
    (
        "West African",
        &[
            "Oluwafunmilayo", "Ebunoluwa", "Ijeoma", "Chinwe", "Efe", "Ama", "Afua", "Esi",
        ],
        &[
            "Oluwafemi", "Olusegun", "Chidubem", "Nnamdi", "Ifeanyi", "Yaw", "Kwesi", "Fiifi",
        ],
        &[
            "Adebisi", "Ogunbanjo", "Olatunji", "Onyekachi", "Nwosu", "Ofori-Atta", "Ansah", "Quaye", "Amoah",
            "Ekwueme",
        ],
    ),
    (
        "East and Southern African",
        &["Ayaan", "Sagal", "Nasra", "Saba", "Tendai", "Rudo"],
        &["Guled", "Bashir", "Yohannes", "Tinashe", "Tafadzwa"],
        &[
            "Jama", "Egal", "Hirsi", "Tesfamariam", "Ghebreyesus", "Moyo", "Chikwanha", "Mutasa",
        ],
    ),
    (
        "East European",
        &[
            "Bożena", "Grażyna", "Weronika", "Alicja", "Anca", "Roxana", "Aistė", "Ilona",
        ],
        &[
            "Bartłomiej", "Przemysław", "Sławomir", "Radu", "Florin", "Darius", "Žygimantas", "Gábor",
        ],
        &[
            "Grzybowski", "Wróblewska", "Jabłoński", "Constantinescu", "Vasilescu", "Jankauskaitė", "Žukauskas",
            "Szűcs", "Fehér",
        ],
    ),
    (
        "South Asian",
        &[
            "Zara", "Rahima", "Sushila", "Kavitha", "Aarohi", "Simran", "Jasleen", "Mehwish",
        ],
        &[
            "Aarav", "Farhan", "Saqib", "Prakash", "Sivakumar", "Harvinder", "Zeeshan", "Nikhil",
        ],
        &[
            "Venkataraman", "Malik", "Khatun", "Gurung", "Sivakumar", "Thapa", "Raza", "Chaudhary", "Banerjee",
            "Pillai", "Bains", "Ranasinghe",
        ],
    ),
    (
        "East Asian and Filipino",
        &["Zihan", "Xiaoling", "Maria Clara", "Jasmin", "Hana", "Yuna"],
        &["Zhiwei", "Haoran", "Jericho", "Rodel", "Takeshi", "Sung-min"],
        &[
            "Guo", "Deng", "Dela Cruz", "Bautista", "Reyes", "Santos", "Nakamura", "Yoshida", "Lim", "Tan",
        ],
    ),
    (
        "Arabic, Afghan, Kurdish and Iranian",
        &["Shilan", "Nasrin", "Maha", "Lubna", "Zahra"],
        &["Farhad", "Tamim", "Anwar", "Bilal", "Arash"],
        &[
            "Al-Tamimi", "Ahmadzai", "Barzani", "Rahimi", "Sultani", "Al-Masri", "Jafari",
        ],
    ),
    (
        "Welsh and Scottish",
        &["Heledd", "Manon", "Elin", "Catrin", "Kirsteen", "Morven"],
        &["Gwion", "Rhodri", "Tudur", "Ruaraidh", "Fingal", "Torquil"],
        &[
            "Gruffydd", "Eames", "Tudor", "Mackie", "Drummond", "Crawford", "Galbraith",
        ],
    ),
    (
        "Caribbean and Black British",
        &["Precious", "Tianna", "Shaniqua"],
        &["Dwayne", "Lennox", "Jerome"],
        &["Gayle", "Nembhard", "Lindo", "Bartley", "Ricketts"],
    ),
];

#[rustfmt::skip]
const HEADERS: &[&str] = &[
    "PATIENT: {P.banner}   NHS NO: {nhs}   DOB: {dob}   SEX: F", "{P.caps} | {age} | Hosp No. {mrn} | {ward}",
    "Subject: Datix follow-up re {P.tfull}", "From: {S.full} <{email}>", "Handover - {ward} - {idate}",
    "Patient ID {mrn}  Name {P.banner}  Born {dob}", "Dear {S.first},",
];

#[rustfmt::skip]
const NARRATIVE: &[&str] = &[
    "Hi {S.first}, just flagging that {P.full} on {ward} was given {drug} {dose} twice overnight.",
    "Per {S.tlast}, the interface dropped the allergy for {P.tfull} ({nhs}).",
    "{P.full} ({age}) was discharged home c/o {R.full} ({rel}) at {addr}.",
    "I called the patient's {rel} {R.first} on {phone} but there was no answer.",
    "The system merged {P.poss} record with that of another patient, {R.full}, both born {dob}.",
    "Attendees: {S.full}, {T.full}.", "Dr {S.last} asked me to chase the CT result for {P.last}.",
    "{P.first} {P.last} is known to the mental health team; the CPN is {T.full}.",
    "The barcode scanner read the wristband of {P.tfull} as {nhsbad} (NHS number mistyped).",
    "When I logged in as {S.lower} the session still showed {P.caps}.",
    "The wrong {P.last} was selected from the list: there were two patients called {P.last} on {ward}.",
    "{R.tfull} rang the ward from {phone} asking for an update on {P.first}.",
    "The CHI number {chi} belongs to a different patient in NHS Lothian.",
    "The postcode {pc} was missing, so the letter went to {street}.",
    "NINO {nino} appeared in the free-text comments box.",
    "Please contact me on {phone} or {email} - {S.full}, {role}.",
    "Patient is a {age}, lives alone at {addr}, next of kin {R.full}.",
    "A duplicate record was created for {P.full} (hospital number {mrn}, DOB {dob}).",
    "{S.init} documented the wrong weight for {P.tlast} in {product}.",
    "Ambulance crew reported that {P.first} had fallen at home ({addr}).",
    "{P.tlast}'s {rel} {R.first} said the GP had stopped the {drug}.",
    "Our pharmacist, {S.full}, spotted that {drug} {dose} {freq} had been transcribed as {dose}.",
    "{P.full}, date of birth {dob}, NHS No {nhs}, was booked into the wrong clinic.", "Pt {P.lower}, {age}, {pc}.",
    "{T.tfull} handed over to {S.tfull} at {time} without mentioning the missed dose.",
    "The results for {P.banner} were sent to {R.full}'s GP by mistake.",
    "Portal link {url} was sent to the wrong email address ({email}).", "Previous address: {addr}.",
    "{P.first}'s {rel} {R.first} {R.last} is the main carer.", "Consultant: {S.tfull}; Registrar: {T.tfull}.",
    "D.O.B {dob} | Age {agenum} | Location {ward}",
    "The midwife, {S.first} {S.last}, could not find {P.poss} booking bloods.",
    "I spoke to {R.tfull} who confirmed that {P.first} lives at {addr}.",
    "Eventually {S.full} from IT reset the smartcard for {T.full}.",
    "The referral letter for {P.full}, NHS number {nhsbad}, was rejected by the spine.",
    "{P.tfull}'s chart showed {drug} {dose} at {time} signed by {S.init}.", "Telephone {phone} ({rel}, {R.first}).",
    "Kin: {R.full} - {rel} - {phone}", "Name on request form: {P.banner}; name on sample: {R.banner}.",
];

#[rustfmt::skip]
const KEEP: &[&str] = &[
    "The {product} upgrade to {version} went live on {idate} at {time}.",
    "{drug} {dose} {route} {freq} was prescribed but {drug} {dose} was dispensed.",
    "There were 3 similar incidents on {ward} between {idate} and {idate}.",
    "The patient in {bed} on {ward} was moved to {bay}.",
    "Ticket {ticket} was raised with the supplier and {version} fixed the fault.",
    "Order number {order} remained in the pending queue until {time}.",
    "Reference {badnum} appears in the interface logs.", "GP practice {ods} did not receive the discharge summary.",
    "The infusion of {drug} {dose} over 30 minutes was delayed until {time}.",
    "No harm was caused; the incident was graded as low harm on {idate}.",
];

#[rustfmt::skip]
const FOOTERS: &[&str] = &[
    "Kind regards, {S.full}", "-- {S.first} ({role}, bleep 4{order4})", "Datix completed by {S.tfull} on {idate}.",
];

#[rustfmt::skip]
const DRUGS: &[&str] = &[
    "Tramadol", "Cefuroxime", "Meropenem", "Dalteparin", "Tinzaparin", "Sertraline", "Quetiapine", "Haloperidol",
    "Midazolam", "Tranexamic acid", "Nitrofurantoin", "Doxycycline", "Fentanyl", "Alteplase",
];

#[rustfmt::skip]
const PRODUCTS: &[&str] = &[
    "InfoFlex", "PatientFlow", "the ePMA", "Symphony ED", "Cerner", "Meditech", "WardView", "DischargeHub",
    "SmartTrack", "the LIMS",
];

#[rustfmt::skip]
const WARDS: &[&str] = &[
    "Ward 9", "Larch Ward", "Ward C3", "Cedar Ward", "Ward 30", "Maple Ward", "SAU", "AMU", "Ward 6 North",
];

/// The held-out family.
pub(super) const HOLDOUT: Family = Family {
    pools: POOLS,
    headers: HEADERS,
    narrative: NARRATIVE,
    keep: KEEP,
    footers: FOOTERS,
    drugs: DRUGS,
    products: PRODUCTS,
    wards: WARDS,
};
