//! Evaluation: a deterministic synthetic UK incident-report corpus and a scorer.
//!
//! [`corpus`] renders narrative templates (clinical-safety incidents involving IT
//! systems) with fictional people of many origins and every identifier format in the
//! domain reference, recording the character span of each identifier and of each
//! must-keep clinical token (drug, dose, time, ward, version...). [`score`] runs a
//! [`Redactor`] over it and reports strict-coverage recall per type, untyped recall,
//! character precision, F2, the document leak rate, must-keep damage and false
//! negatives per 100k words (domain reference §5).
//!
//! Every identifier is fictional: NHS numbers come from the never-issued 999 range,
//! CHIs have "99" in digits 7-8, phones are Ofcom drama numbers, and emails use
//! example domains.

use std::fmt;

mod holdout;

use crate::checks;
use crate::{Kind, Redactor, Span};

/// One labelled synthetic document.
#[derive(Debug, Clone, PartialEq)]
pub struct Labelled {
    /// Stable identifier, e.g. `syn-2026-00042`.
    pub id: String,
    /// The document text.
    pub text: String,
    /// Identifier spans `(start, end, kind)` in char offsets, end exclusive.
    pub spans: Vec<(usize, usize, Kind)>,
    /// Must-keep clinical token spans `(start, end)` in char offsets.
    pub keep: Vec<(usize, usize)>,
}

// ---------------------------------------------------------------------------
// Deterministic random numbers (SplitMix64: tiny, fast, good enough for fixtures).
// ---------------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_5EED)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below((hi - lo + 1) as usize) as u32
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - p
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }
}

// ---------------------------------------------------------------------------
// Fictional people.
// ---------------------------------------------------------------------------

/// Name pools: (origin, female first names, male first names, surnames).
type Pool = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

#[rustfmt::skip]
const POOLS: &[Pool] = &[
    (
        "English",
        &[
            "Olivia", "Emily", "Charlotte", "Sophie", "Hannah", "Jessica", "Lucy", "Eleanor", "Margaret", "Joan",
            "Pauline", "Gemma", "Kayleigh", "Beverley", "Chloë", "Harriet", "Amelia", "Rose", "May", "Grace",
            "Hope",
        ],
        &[
            "Oliver", "Jack", "Harry", "George", "Thomas", "William", "James", "Daniel", "Gary", "Keith", "Derek",
            "Nigel", "Trevor", "Alfie", "Reginald", "Will", "Mark", "Frank", "Bob",
        ],
        &[
            "Smith", "Jones", "Taylor", "Brown", "Wilson", "Wright", "Walker", "Robinson", "Thompson", "Hughes",
            "Whitehouse", "Hargreaves", "Ramsbottom", "Butterworth", "Pickering", "Green", "White", "Ward", "Hall",
            "King", "Wood", "Bell", "Young", "Holmes", "Fletcher", "Smith-Jones", "Ackroyd", "Sutcliffe",
        ],
    ),
    (
        "Irish",
        &[
            "Aoife", "Siobhán", "Niamh", "Ciara", "Saoirse", "Orla", "Róisín", "Gráinne", "Sinéad", "Clodagh",
            "Mairéad",
        ],
        &[
            "Seán", "Pádraig", "Ciarán", "Cillian", "Oisín", "Eoin", "Darragh", "Diarmuid", "Fergal", "Ruairí",
            "Tadhg",
        ],
        &[
            "Murphy", "O'Brien", "O'Connor", "O'Sullivan", "Byrne", "Walsh", "Doyle", "McCarthy", "Gallagher",
            "Doherty", "Kennedy", "Lynch", "Quinn", "Fitzgerald", "Ní Bhriain", "McGrath", "O'Donnell", "Flanagan",
        ],
    ),
    (
        "Welsh",
        &[
            "Cerys", "Angharad", "Bethan", "Carys", "Ffion", "Nia", "Seren", "Siân", "Rhiannon", "Lowri",
            "Gwenllian",
        ],
        &[
            "Rhys", "Dafydd", "Gareth", "Gethin", "Iwan", "Emyr", "Huw", "Owain", "Aled", "Geraint", "Ieuan",
            "Llŷr",
        ],
        &[
            "Jones", "Davies", "Williams", "Evans", "Thomas", "Roberts", "Griffiths", "Rees", "Jenkins",
            "Pritchard", "Llewellyn", "Bowen", "Vaughan", "Prosser", "Pugh", "ap Rhys",
        ],
    ),
    (
        "Scottish",
        &[
            "Eilidh", "Isla", "Kirsty", "Morag", "Mhairi", "Catriona", "Ailsa", "Iona", "Fiona", "Shona", "Elspeth",
        ],
        &[
            "Callum", "Euan", "Fraser", "Hamish", "Alasdair", "Angus", "Ewan", "Gregor", "Iain", "Lachlan", "Murdo",
        ],
        &[
            "MacDonald", "MacKenzie", "MacLeod", "McGregor", "Robertson", "Reid", "Ross", "Munro", "McIntosh",
            "Sinclair", "Buchanan", "Cameron", "Ferguson", "Henderson", "Kerr", "Wallace", "Lennox", "Urquhart",
        ],
    ),
    (
        "South Asian",
        &[
            "Priya", "Anjali", "Pooja", "Sunita", "Kavita", "Meera", "Nisha", "Harpreet", "Gurpreet", "Ayesha",
            "Fatima", "Zainab", "Nasreen", "Rukhsana", "Shabana", "Taslima", "Thilini", "Lakshmi",
        ],
        &[
            "Rahul", "Ravi", "Sanjay", "Arjun", "Amit", "Deepak", "Rajesh", "Vikram", "Mohammed", "Muhammad",
            "Imran", "Usman", "Bilal", "Tariq", "Kuldip", "Jasvinder", "Abdul", "Nimal", "Harjit",
        ],
        &[
            "Patel", "Khan", "Ahmed", "Hussain", "Shah", "Begum", "Akhtar", "Iqbal", "Rahman", "Chowdhury", "Uddin",
            "Miah", "Singh", "Kaur", "Sharma", "Gupta", "Mistry", "Desai", "Sandhu", "Dhillon", "Qureshi",
            "Siddiqui", "Perera", "Jayasuriya", "Naidoo", "Bhattacharya", "Chakraborty",
        ],
    ),
    (
        "West African",
        &[
            "Oluwaseun", "Folasade", "Funmilayo", "Yetunde", "Temitope", "Bukola", "Chiamaka", "Chioma", "Ngozi",
            "Nkechi", "Ifeoma", "Adaeze", "Akosua", "Abena", "Adwoa", "Efua", "Mariama", "Fatmata", "Aminata",
        ],
        &[
            "Olumide", "Adebayo", "Adewale", "Babatunde", "Kehinde", "Tunde", "Chinedu", "Chukwuemeka", "Obinna",
            "Ikenna", "Emeka", "Kwame", "Kwaku", "Kofi", "Kojo", "Kwabena", "Ibrahim", "Abubakar",
        ],
        &[
            "Adeyemi", "Okafor", "Okonkwo", "Okoro", "Nwachukwu", "Eze", "Obi", "Okeke", "Ogunleye", "Oyelaran",
            "Adeleke", "Balogun", "Afolabi", "Oladipo", "Mensah", "Asante", "Boateng", "Owusu", "Osei", "Agyeman",
            "Appiah", "Bangura", "Kamara", "Sesay", "Conteh", "Koroma", "Jalloh", "Okafor-Williams", "N'Diaye",
        ],
    ),
    (
        "East African",
        &[
            "Hodan", "Hamdi", "Faduma", "Halima", "Ayan", "Hibo", "Amal", "Tigist", "Selam", "Wanjiru", "Achieng",
        ],
        &[
            "Abdi", "Abdirahman", "Abdullahi", "Mohamud", "Yusuf", "Dawit", "Tesfaye", "Otieno", "Kamau",
        ],
        &[
            "Mohamed", "Warsame", "Farah", "Osman", "Abdullahi", "Haile", "Kebede", "Mengistu", "Odhiambo",
            "Mwangi",
        ],
    ),
    (
        "East European",
        &[
            "Agnieszka", "Katarzyna", "Małgorzata", "Magdalena", "Joanna", "Zofia", "Dorota", "Ioana", "Elena",
            "Mihaela", "Andreea", "Raluca", "Rūta", "Eglė", "Olena", "Oksana", "Iryna", "Zsófia", "Jana",
        ],
        &[
            "Piotr", "Krzysztof", "Tomasz", "Paweł", "Marcin", "Michał", "Grzegorz", "Łukasz", "Wojciech", "Andrei",
            "Alexandru", "Mihai", "Bogdan", "Mantas", "Vytautas", "Dmytro", "Oleksandr", "László", "Marek",
        ],
        &[
            "Kowalski", "Kowalska", "Nowak", "Wiśniewski", "Wiśniewska", "Wójcik", "Kamiński", "Lewandowski",
            "Zieliński", "Szymański", "Woźniak", "Kozłowski", "Popescu", "Ionescu", "Dumitru", "Stoica",
            "Kazlauskas", "Petrauskas", "Shevchenko", "Kovalenko", "Bondarenko", "Horváth", "Kovács", "Nagy",
        ],
    ),
    (
        "Chinese",
        &[
            "Wei", "Hui", "Xiao", "Yan", "Jing", "Fang", "Ling", "Mei", "Ying", "Xin", "Li Na",
        ],
        &["Jun", "Ming", "Lei", "Qiang", "Jian", "Hao", "Yu", "Zhen", "Wen", "Kai"],
        &[
            "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Wong", "Chan",
            "Cheung", "Lau", "Ng", "Leung", "Tang", "Yip", "Chow", "Lam",
        ],
    ),
    (
        "Vietnamese and Korean",
        &[
            "Thanh", "Linh", "Hoa", "Huong", "Phuong", "Mai", "Thu", "Ji-woo", "Seo-yeon", "Min-ji",
        ],
        &["Minh", "Duc", "Tuan", "Anh", "Quang", "Min-jun", "Hyun", "Jae-won"],
        &[
            "Nguyen", "Tran", "Pham", "Hoang", "Phan", "Vu", "Dang", "Bui", "Kim", "Park", "Choi", "Jung", "Kang",
        ],
    ),
    (
        "Arabic and Middle Eastern",
        &[
            "Layla", "Noor", "Mariam", "Rania", "Dina", "Huda", "Salma", "Samira", "Reem", "Hala", "Yasmin",
            "Parisa", "Darya",
        ],
        &[
            "Omar", "Khalid", "Youssef", "Karim", "Samir", "Nabil", "Tarek", "Walid", "Hamza", "Mustafa", "Reza",
            "Mehdi", "Hossein",
        ],
        &[
            "Haddad", "Khalil", "Mansour", "Nasser", "Saleh", "Hamdan", "Darwish", "Aziz", "Abbas", "Karimi",
            "Hosseini", "Rezaei", "Al-Hassan", "El-Sayed", "Al-Rashid",
        ],
    ),
    (
        "Turkish and Kurdish",
        &["Elif", "Zeynep", "Aylin", "Ayşe", "Fatma", "Hatice", "Dilan", "Rojda"],
        &["Mehmet", "Ahmet", "Emre", "Murat", "Burak", "Soran", "Serkan"],
        &[
            "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Aydın", "Öztürk", "Arslan", "Doğan",
        ],
    ),
    (
        "Caribbean",
        &[
            "Shanice", "Tanisha", "Keisha", "Chantelle", "Marcia", "Beverley", "Claudette", "Hyacinth",
        ],
        &[
            "Marcus", "Leroy", "Delroy", "Winston", "Errol", "Desmond", "Clive", "Jermaine", "Tyrone",
        ],
        &[
            "Campbell", "Francis", "Samuels", "Henry", "Grant", "Reid", "Bailey", "Thompson", "Clarke", "Forbes",
        ],
    ),
    (
        "Southern European",
        &[
            "Ana", "Beatriz", "Inês", "Catarina", "Lucía", "Carmen", "Francesca", "Giulia", "Chiara", "Eleni",
            "Sofia", "Maria",
        ],
        &[
            "João", "Pedro", "Tiago", "Miguel", "Diego", "Javier", "Giuseppe", "Luca", "Matteo", "Nikos",
            "Dimitris", "José",
        ],
        &[
            "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "García", "Martínez", "López",
            "Rossi", "Russo", "Esposito", "Bianchi", "Papadopoulos", "Georgiou", "De Souza", "da Silva",
        ],
    ),
    (
        "Dutch and German",
        &["Anke", "Femke", "Lotte", "Sanne", "Jutta", "Heike", "Ingrid", "Greta"],
        &["Pieter", "Joost", "Henk", "Sven", "Jürgen", "Dieter", "Lukas", "Jonas"],
        &[
            "van der Berg", "de Vries", "Jansen", "Bakker", "Visser", "Müller", "Schmidt", "Schneider", "Fischer",
            "Weber", "Becker", "Hoffmann",
        ],
    ),
];

/// A template family: name pools, sentence templates and must-keep vocabulary.
struct Family {
    pools: &'static [Pool],
    headers: &'static [&'static str],
    narrative: &'static [&'static str],
    keep: &'static [&'static str],
    footers: &'static [&'static str],
    drugs: &'static [&'static str],
    products: &'static [&'static str],
    wards: &'static [&'static str],
}

#[derive(Clone)]
struct Person {
    first: &'static str,
    last: &'static str,
    female: bool,
    title: &'static str,
}

impl Person {
    fn random(rng: &mut Rng, staff: bool, pools: &'static [Pool]) -> Person {
        let (_, fem, male, sur) = *rng.pick(pools);
        let female = rng.chance(0.5);
        let first = if female { *rng.pick(fem) } else { *rng.pick(male) };
        // Surnames from another origin now and then (marriage, adoption, mixed heritage).
        let last = if rng.chance(0.15) {
            let other = rng.pick(pools).3;
            *rng.pick(other)
        } else {
            *rng.pick(sur)
        };
        let title = if staff && rng.chance(0.5) {
            "Dr"
        } else if female {
            *rng.pick(&["Mrs", "Ms", "Miss", "Mrs", "Ms", "Dr", "Mx"])
        } else {
            *rng.pick(&["Mr", "Mr", "Mr", "Dr", "Mx"])
        };
        Person {
            first,
            last,
            female,
            title,
        }
    }
}

// ---------------------------------------------------------------------------
// Document builder: appends text and records spans in char offsets.
// ---------------------------------------------------------------------------

struct Doc {
    text: String,
    chars: usize,
    spans: Vec<(usize, usize, Kind)>,
    keep: Vec<(usize, usize)>,
}

impl Doc {
    fn new() -> Doc {
        Doc {
            text: String::new(),
            chars: 0,
            spans: Vec::new(),
            keep: Vec::new(),
        }
    }
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.chars += s.chars().count();
    }
    fn pii(&mut self, s: &str, kind: Kind) {
        let start = self.chars;
        self.push(s);
        self.spans.push((start, self.chars, kind));
    }
    fn keep(&mut self, s: &str) {
        let start = self.chars;
        self.push(s);
        self.keep.push((start, self.chars));
    }
}

// ---------------------------------------------------------------------------
// Identifier generators.
// ---------------------------------------------------------------------------

/// A Mod-11-valid number with the given prefix, completed with random digits.
fn mod11_number(rng: &mut Rng, prefix: &str) -> String {
    loop {
        let mut s = String::from(prefix);
        s.push_str(&rng.digits(9 - prefix.len()));
        let sum: u32 = s
            .bytes()
            .zip((2..=10u32).rev())
            .map(|(d, w)| u32::from(d - b'0') * w)
            .sum();
        let check = 11 - sum % 11;
        if check == 10 {
            continue;
        }
        s.push(char::from(b'0' + (check % 11) as u8));
        return s;
    }
}

/// Formats ten digits the ways people write them.
fn format_ten(rng: &mut Rng, d: &str) -> String {
    match rng.below(7) {
        0 | 1 => format!("{} {} {}", &d[..3], &d[3..6], &d[6..]),
        2 => d.to_string(),
        3 => format!("{}-{}-{}", &d[..3], &d[3..6], &d[6..]),
        4 => format!("{} {}", &d[..5], &d[5..]),
        5 => format!("{} {} {}", &d[..4], &d[4..7], &d[7..]),
        _ => format!("{} {}", &d[..6], &d[6..]),
    }
}

fn nhs_number(rng: &mut Rng) -> String {
    let d = mod11_number(rng, "999");
    format_ten(rng, &d)
}

/// A 10-digit number that fails Modulus 11 (a mistyped NHS number or a non-NHS number).
fn bad_ten(rng: &mut Rng, prefix: &str) -> String {
    loop {
        let mut d = String::from(prefix);
        d.push(char::from(b'1' + rng.below(9) as u8));
        d.push_str(&rng.digits(9 - prefix.len()));
        if !checks::mod11_valid(d.as_bytes()) {
            return d;
        }
    }
}

fn chi_number(rng: &mut Rng) -> String {
    let (d, m, y) = (rng.range(1, 28), rng.range(1, 12), rng.range(30, 99));
    let d = mod11_number(rng, &format!("{d:02}{m:02}{y:02}99"));
    match rng.below(3) {
        0 => d,
        1 => format!("{} {}", &d[..6], &d[6..]),
        _ => format!("{} {} {}", &d[..3], &d[3..6], &d[6..]),
    }
}

fn nino(rng: &mut Rng) -> String {
    const FIRST: &[u8] = b"ABCEGHJKLMNOPRSTWXYZ";
    const SECOND: &[u8] = b"ABCEGHJKLMNPRSTWXYZ";
    loop {
        let p = [*rng.pick(FIRST), *rng.pick(SECOND)];
        let p = String::from_utf8_lossy(&p).into_owned();
        if matches!(p.as_str(), "BG" | "GB" | "KN" | "NK" | "NT" | "TN" | "ZZ") {
            continue;
        }
        let d = rng.digits(6);
        let s = char::from(b'A' + rng.below(4) as u8);
        return if rng.chance(0.5) {
            format!("{p}{d}{s}")
        } else {
            format!("{p} {} {} {} {s}", &d[..2], &d[2..4], &d[4..])
        };
    }
}

#[rustfmt::skip]
const OUTWARDS: &[&str] = &[
    "LS1", "LS6", "LS17", "M60", "M14", "SW1A", "SE1", "E1", "N7", "W2", "EC1A", "B15", "B9", "EH3", "EH12", "G12",
    "G3", "CF10", "CF24", "SA1", "BT9", "BT48", "NE1", "BS8", "OX3", "L69", "S10", "NG7", "CB2", "YO31", "PL6",
    "EX2", "TR1", "IV2", "AB25", "DD1", "HU3", "BD9", "WF1", "HX1", "LE5", "CV1", "DE22", "ST4", "WV10",
];

fn postcode(rng: &mut Rng) -> String {
    const INWARD: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
    let out = *rng.pick(OUTWARDS);
    let inward = format!(
        "{}{}{}",
        rng.below(10),
        char::from(*rng.pick(INWARD)),
        char::from(*rng.pick(INWARD))
    );
    match rng.below(10) {
        0 => format!("{out}{inward}"),
        1 => format!("{out} {inward}").to_lowercase(),
        _ => format!("{out} {inward}"),
    }
}

fn phone(rng: &mut Rng) -> String {
    let mobile = format!("07700 900{:03}", rng.below(1000));
    let leeds = format!("0113 496 0{:03}", rng.below(1000));
    let london = format!("020 7946 0{:03}", rng.below(1000));
    match rng.below(10) {
        0 => mobile.replace(' ', ""),
        1 => format!("+44 7700 900{:03}", rng.below(1000)),
        2 => format!("+44 (0)7700 900{:03}", rng.below(1000)),
        3 => format!("(0113) 496 0{:03}", rng.below(1000)),
        4 => leeds,
        5 => london,
        6 => format!("07700-900-{:03}", rng.below(1000)),
        7 => format!("+44 (0)113 496 0{:03}", rng.below(1000)),
        _ => mobile,
    }
}

#[rustfmt::skip]
const MONTHS: &[&str] = &[
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December",
];

fn ordinal(d: u32) -> &'static str {
    match d {
        1 | 21 | 31 => "st",
        2 | 22 => "nd",
        3 | 23 => "rd",
        _ => "th",
    }
}

/// A date in one of the formats of the domain reference §1.6.
fn date(rng: &mut Rng, y: u32) -> String {
    let (d, m) = (rng.range(1, 28), rng.range(1, 12));
    let month = MONTHS[(m - 1) as usize];
    match rng.below(9) {
        0 => format!("{d:02}/{m:02}/{y}"),
        1 => format!("{d:02}-{m:02}-{y}"),
        2 => format!("{d:02}.{m:02}.{:02}", y % 100),
        3 => format!("{d:02}-{}-{y}", &month[..3]),
        4 => format!("{d} {month} {y}"),
        5 => format!("{d}{} {month} {y}", ordinal(d)),
        6 => format!("{y}-{m:02}-{d:02}"),
        7 => format!("{d} {} {y}", &month[..3]),
        _ => format!("{d}/{m}/{y}"),
    }
}

fn dob(rng: &mut Rng) -> String {
    let y = rng.range(1925, 2008);
    date(rng, y)
}

fn incident_date(rng: &mut Rng) -> String {
    let y = rng.range(2019, 2026);
    date(rng, y)
}

fn mrn(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => format!("RX{}", rng.digits(7)),
        1 => format!("K{}", rng.digits(6)),
        2 => format!("{}{}", rng.pick(&["RTH", "RR8", "A", "M", "H", "RWA"]), rng.digits(7)),
        3 => format!("{}{}", rng.pick(&["J", "T", "S"]), rng.digits(8)),
        _ => format!("{}", rng.range(10_000_000, 99_999_999)),
    }
}

#[rustfmt::skip]
const STREETS: &[&str] = &[
    "Acacia", "Station", "Church", "Victoria", "Mill", "High", "Oak", "Manor", "Queen's", "Albert", "Chapel",
    "Meadow", "Beech", "Hawthorn", "Sycamore", "Ash Grove", "St John's", "Bryn", "Heol Y", "Glen", "Kirk", "Castle",
];
#[rustfmt::skip]
const STREET_TYPES: &[&str] = &[
    "Road", "Street", "Avenue", "Lane", "Close", "Drive", "Way", "Crescent", "Gardens", "Terrace", "Court", "Place",
    "Grove", "Rd", "St", "Mews", "Wynd", "Park",
];
#[rustfmt::skip]
const TOWNS: &[&str] = &[
    "Leeds", "Bradford", "Otley", "Wakefield", "Manchester", "Salford", "Cardiff", "Swansea", "Glasgow", "Paisley",
    "Belfast", "Derry", "Newcastle", "Sheffield", "Bristol", "Exeter", "Norwich", "Inverness", "Dundee", "Hull",
];

/// "12 Acacia Avenue" (+ ", Town"), as the address part only (postcode added by caller).
fn street_address(rng: &mut Rng, with_town: bool) -> String {
    let mut s = String::new();
    if rng.chance(0.12) {
        s.push_str(&format!("Flat {}, ", rng.range(1, 40)));
    }
    s.push_str(&format!(
        "{} {} {}",
        rng.range(1, 220),
        rng.pick(STREETS),
        rng.pick(STREET_TYPES)
    ));
    if with_town {
        s.push_str(&format!(", {}", rng.pick(TOWNS)));
    }
    s
}

// ---------------------------------------------------------------------------
// Must-keep vocabulary.
// ---------------------------------------------------------------------------

#[rustfmt::skip]
const DRUGS: &[&str] = &[
    "Amoxicillin", "Paracetamol", "Enoxaparin", "Warfarin", "Insulin", "Morphine", "Gentamicin", "Vancomycin",
    "Co-amoxiclav", "Flucloxacillin", "Metformin", "Apixaban", "Ramipril", "Furosemide", "Oxycodone",
    "Levothyroxine", "Omeprazole", "Prednisolone", "Salbutamol", "Heparin", "Lorazepam", "Tazocin",
    "Clarithromycin", "Ondansetron", "Digoxin", "Amlodipine", "Bisoprolol", "Dexamethasone",
];
#[rustfmt::skip]
const DOSES: &[&str] = &[
    "500 mg", "0.5 mg", "40 mg", "1 g", "5 mg", "2.5 mg", "10 units", "75 micrograms", "20 mg", "250 mg", "1.2 g",
    "5 ml", "80 mg", "100 mg", "4 mg", "12 units", "30 mg",
];
#[rustfmt::skip]
const FREQS: &[&str] = &[
    "TDS", "BD", "QDS", "OD", "PRN", "mane", "nocte", "STAT", "once daily", "twice daily",
];
#[rustfmt::skip]
const ROUTES: &[&str] = &["IV", "PO", "SC", "IM", "oral", "intravenous"];
#[rustfmt::skip]
const WARDS: &[&str] = &[
    "Ward 12", "Ward 7B", "Ward 3", "Rowan Ward", "Nightingale Ward", "Beech Ward", "Ward 21", "Elm Ward",
    "Keats Ward", "Ward 4A", "Willow Ward", "Holly Ward",
];
#[rustfmt::skip]
const PRODUCTS: &[&str] = &[
    "CareFlow EPR", "MedChart eMAR", "PathLink LIMS", "RadView PACS", "BedView", "ObsTrack", "ClinDocs",
    "OrderComms", "CareFlow", "MedChart", "Lorenzo", "SystmOne", "EMIS Web", "Nervecentre", "TrakCare",
    "Medway PAS", "the EPR", "the eMAR", "the PAS",
];
#[rustfmt::skip]
const SYSTEM_THINGS: &[&str] = &[
    "allergy banner", "medication chart", "results screen", "task list", "bed board", "discharge summary",
    "handover sheet", "order set", "drug chart", "patient list", "observation chart", "worklist",
];
#[rustfmt::skip]
const ROLES: &[&str] = &[
    "Staff Nurse", "Charge Nurse", "ward pharmacist", "FY1", "registrar", "consultant", "HCA", "Ward Manager",
    "clinical safety officer", "night coordinator", "bed manager", "midwife", "physiotherapist", "SHO",
];

fn version(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!("{}.{}.{}", rng.range(20, 25), rng.range(1, 12), rng.range(0, 9)),
        1 => format!("v{}.{}", rng.range(2, 12), rng.range(0, 9)),
        2 => format!("version {}.{}", rng.range(3, 15), rng.range(0, 20)),
        _ => format!("release {}.{}", rng.range(2021, 2025), rng.range(1, 4)),
    }
}

fn order_id(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!("ORD-{}", rng.digits(7)),
        1 => format!("{}", rng.range(10_000_000, 99_999_999)),
        2 => format!("{}P{}", rng.range(20, 25), rng.digits(6)),
        _ => format!("#{}", rng.digits(6)),
    }
}

fn time(rng: &mut Rng) -> String {
    if rng.chance(0.8) {
        format!("{:02}:{:02}", rng.range(0, 23), rng.range(0, 59))
    } else {
        format!("{:02}{:02}", rng.range(0, 23), rng.range(0, 5) * 10)
    }
}

fn ods(rng: &mut Rng) -> String {
    match rng.below(3) {
        0 => format!("Z{}", rng.digits(5)),
        1 => format!("{}{}", char::from(b'A' + rng.below(26) as u8), rng.digits(5)),
        _ => rng.pick(&["RZX", "RR8", "RTH", "RWA", "R0A"]).to_string(),
    }
}

// ---------------------------------------------------------------------------
// Templates. Slots: {P.form} patient, {S.form}/{T.form} staff, {R.form} relative,
// where form is one of full, tfull, tlast, last, first, banner, caps, init, poss,
// lower; identifiers nhs, nhsbad, chi, hc, nino, pc, outward, phone, email, url,
// dob, age, agenum, mrn, addr, street; keep tokens drug, dose, freq, route, time,
// ward, bed, bay, version, order, idate, product, ods, badnum, ticket; plain words
// rel, role, thing, title.
// ---------------------------------------------------------------------------

#[rustfmt::skip]
const HEADERS: &[&str] = &[
    "{P.banner} ({title})  Born {dob} ({age})  NHS No. {nhs}  MRN {mrn}",
    "{P.banner} ({title})  DOB: {dob}  NHS: {nhs}  Address: {addr}",
    "Patient: {P.full} | DOB {dob} | NHS number {nhs} | Hosp No {mrn}", "Name: {P.caps}   D.O.B. {dob}   CHI {chi}",
    "{P.banner}  {age}  {nhs}  {ward}", "Pt: {P.tfull}, date of birth {dob}, MRN: {mrn}, tel {phone}",
    "Patient details: {P.full}, {addr}. NI number {nino}.", "Re: {P.tfull} (DOB {dob}), NHS {nhs}",
];

#[rustfmt::skip]
const NARRATIVE: &[&str] = &[
    "On {idate} at {time} {S.tfull} noticed that {product} displayed the record of {P.tfull} (NHS {nhs}) when a second tab was opened.",
    "{P.banner} was shown in the banner but the {thing} belonged to another patient.",
    "The patient, {P.full}, DOB {dob}, was prescribed {drug} {dose} {freq} but the dose did not appear on {product}.",
    "{S.tlast} bleeped {T.tfull} from {ward} at {time} after the allergy alert failed to fire.",
    "Pt {P.lower} ({age}) had a penicillin allergy recorded but {product} did not show it.",
    "NOK is the patient's {rel} {R.full}, tel {phone}.",
    "{P.poss} results were filed against the wrong hospital number ({mrn}).",
    "The discharge letter was posted to {addr} instead of the GP practice.", "Address on PAS: {addr}.",
    "The NHS number {nhs} on the wristband did not match the number shown on {product}.",
    "CHI {chi} was merged in error with another record on {idate}.",
    "Reviewed by {S.init} ({role}), who confirmed that {drug} {dose} had been given twice.",
    "{P.caps}, born {dob}, was booked under the wrong episode.", "Contact details recorded as {email} and {phone}.",
    "{P.tlast} was transferred to {ward} {bed} but the {thing} still showed {bay}.",
    "Order {order} for {drug} was sent for the wrong patient ({P.full}, hospital no {mrn}).",
    "Spoke with {R.tfull} ({rel}) on {phone}, who lives at {addr}.",
    "NI number {nino} had been typed into the NHS number field for {P.tlast}.",
    "The {age} patient in {bay} ({P.full}) received {drug} {dose} {freq} instead of {drug} {dose}.",
    "A link to the patient's fundraising page ({url}) was pasted into the clinical notes.",
    "{S.full} ({role}) raised the incident at {time}.",
    "Patient {P.full}, date of birth {dob}, postcode {outward}.",
    "Escalated to {S.tfull}, consultant on call, who reviewed {P.last} at {time}.",
    "The handover sheet listed {P.full} in {bed} with DOB {dob} and MRN {mrn}.",
    "Family ({rel} {R.first}) were informed by {S.tlast}.", "H&C number {hc} was not recognised by {product}.",
    "Mobile {phone} belongs to {R.full}, the patient's {rel}.",
    "{P.tfull}, aged {agenum}, attended the emergency department at {time}.",
    "Labels printed for {P.banner} carried NHS No {nhsbad}, which had been mistyped.",
    "The referral quoted NHS number {nhsbad} and failed the PDS trace.",
    "{P.first} told the nurse that the {drug} had already been given.",
    "{S.tfull} and {T.tfull} checked the controlled drug register at {time}.",
    "The transcription of {P.poss} dose by {S.init} was not checked.",
    "An email from {email} quoted the patient's name, {P.full}, in the subject line.",
    "Date of birth {dob} was recorded as the admission date for {P.tlast}.",
    "Seen by {S.full} at {time}; {P.last} was drowsy after {drug} {dose} {route}.",
    "{P.tfull} ({age}) was given {drug} {dose} {route} at {time} despite a documented allergy.",
    "The {thing} for {P.full} showed a different patient's MRN ({mrn}).",
    "{P.full}'s {rel}, {R.tfull}, phoned {ward} on {phone} to ask why the medicines had changed.",
    "The GP letter for {P.tfull} ({addr}) was attached to another record.",
    "Hospital number {mrn} and NHS number {nhs} belong to two different patients.",
    "The eMAR showed {P.caps} on {ward} although the patient had been discharged on {idate}.",
    "A {age} was admitted under the name {P.full} with DOB {dob}.",
    "Patient lives in {outward} and the ambulance was sent to the wrong address.",
    "{R.full} ({rel}) was not told about the transfer; mobile {phone}.",
    "Pharmacist {S.full} intercepted a prescription for {drug} {dose} {freq} written for {P.tlast}.",
    "The wristband read {P.banner}, NHS {nhs}, while the chart read {nhsbad}.",
    "Discussed with {S.tfull}; patient {P.lower} was moved to {bay}.",
    "{P.tfull} born {dob}, CHI {chi}, was not found in the Scottish index.", "{P.full} ({age}) lives at {addr}.",
    "Text message reminders went to {phone} instead of the patient's number.",
    "nok {rel} {R.lower} not contacted until {time}.",
    "The letter addressed to {P.tfull}, {street}, {pc} was returned.",
    "{S.caps} (agency nurse) documented the observations for {P.last} in the wrong record.",
    "Bloods for {P.last} ({mrn}) were labelled with {R.full}'s details.",
    "{P.first} {P.last}, a {age} with diabetes, missed the {time} dose of {drug}.",
    "Reported by {S.tfull}; witnessed by {T.full}.", "Next of kin {R.tfull}, {rel}, tel {phone}, email {email}.",
    "Screenshot shows {P.full}, {age}, D.O.B. {dob}, {pc}.",
];

#[rustfmt::skip]
const KEEP_SENTENCES: &[&str] = &[
    "After the upgrade to {product} {version} on {idate}, the {thing} showed {drug} {dose} {freq} twice.",
    "The bed manager moved the patient from {ward} {bed} to {bay} at {time}.",
    "Pathology order {order} was cancelled by the interface at {time}.",
    "Batch reference {badnum} was reused by the pharmacy system.",
    "The practice code {ods} was missing from the referral.", "Incident date {idate}; reported on {idate}.",
    "{drug} {dose} {freq} {route} was due at {time} but was not signed for.",
    "The supplier released hotfix {version} on {idate} and the ticket {ticket} was closed.",
    "{product} was unavailable from {time} to {time} during the downtime.",
    "The {thing} on {product} did not refresh after {drug} {dose} was prescribed.",
    "Interface message {badnum} was rejected by {product} at {time}.",
    "Stock of {drug} {dose} ran out on {ward} at {time}.",
    "{drug} {dose} {freq} was charted on {product} but the pump was set for {dose}.",
    "Downtime procedures were used on {ward} and {ward} until {time}.",
    "The order set in {product} {version} defaulted to {drug} {dose} {route}.",
];

/// The main family, used for the quality gate and for tuning.
const MAIN: Family = Family {
    pools: POOLS,
    headers: HEADERS,
    narrative: NARRATIVE,
    keep: KEEP_SENTENCES,
    footers: FOOTERS,
    drugs: DRUGS,
    products: PRODUCTS,
    wards: WARDS,
};

#[rustfmt::skip]
const FOOTERS: &[&str] = &[
    "Reported by {S.full} ({role}) at {time} on {idate}.", "Reporter: {S.tfull}, {role}, ext 4{order4}.",
    "Handler: {T.full}. Immediate action: {product} access reviewed.", "Completed by {S.init}, {role}.",
];

struct Cast {
    fam: &'static Family,
    p: Person,
    s: Person,
    t: Person,
    r: Person,
    rel: &'static str,
}

/// Renders a template into the document, labelling identifiers and keep tokens.
fn render(doc: &mut Doc, rng: &mut Rng, cast: &Cast, template: &str) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        doc.push(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').unwrap_or(after.len());
        slot(doc, rng, cast, &after[..close]);
        rest = after.get(close + 1..).unwrap_or("");
    }
    doc.push(rest);
}

fn person_form(doc: &mut Doc, rng: &mut Rng, p: &Person, form: &str) {
    let name = Kind::Name;
    match form {
        "full" => doc.pii(&format!("{} {}", p.first, p.last), name),
        "tfull" => {
            doc.push(&format!("{} ", p.title));
            doc.pii(&format!("{} {}", p.first, p.last), name);
        }
        "tlast" => {
            doc.push(&format!("{} ", p.title));
            doc.pii(p.last, name);
        }
        "last" => doc.pii(p.last, name),
        "first" => doc.pii(p.first, name),
        "banner" => {
            doc.pii(&p.last.to_uppercase(), name);
            doc.push(", ");
            doc.pii(p.first, name);
        }
        "caps" => doc.pii(&format!("{} {}", p.first, p.last.to_uppercase()), name),
        "init" => {
            let initial: String = p.first.chars().take(1).collect();
            let dot = if rng.chance(0.7) { "." } else { "" };
            doc.pii(&format!("{initial}{dot} {}", p.last), name);
        }
        "poss" => {
            doc.pii(p.last, name);
            doc.push("'s");
        }
        "lower" => doc.pii(&format!("{} {}", p.first, p.last).to_lowercase(), name),
        _ => doc.push(form),
    }
}

fn slot(doc: &mut Doc, rng: &mut Rng, cast: &Cast, name: &str) {
    if let Some((who, form)) = name.split_once('.') {
        let p = match who {
            "P" => &cast.p,
            "S" => &cast.s,
            "T" => &cast.t,
            _ => &cast.r,
        };
        person_form(doc, rng, p, form);
        return;
    }
    match name {
        "nhs" => {
            let n = nhs_number(rng);
            doc.pii(&n, Kind::NhsNumber)
        }
        "hc" => {
            let n = nhs_number(rng);
            doc.pii(&n, Kind::NhsNumber)
        }
        "nhsbad" => {
            let d = bad_ten(rng, "99");
            let n = format_ten(rng, &d);
            doc.pii(&n, Kind::NhsNumber)
        }
        "chi" => {
            let n = chi_number(rng);
            doc.pii(&n, Kind::Chi)
        }
        "nino" => {
            let n = nino(rng);
            doc.pii(&n, Kind::NiNumber)
        }
        "pc" => {
            let n = postcode(rng);
            doc.pii(&n, Kind::Postcode)
        }
        "outward" => {
            let n = rng.pick(OUTWARDS).to_string();
            doc.pii(&n, Kind::Postcode)
        }
        "phone" => {
            let n = phone(rng);
            doc.pii(&n, Kind::Phone)
        }
        "email" => {
            let p = if rng.chance(0.5) { &cast.p } else { &cast.r };
            let local = match rng.below(3) {
                0 => format!("{}.{}", p.first, p.last),
                1 => format!(
                    "{}{}{}",
                    p.first.chars().next().map(String::from).unwrap_or_default(),
                    p.last,
                    rng.range(1, 99)
                ),
                _ => format!("{}_{}", p.first, rng.range(1950, 2005)),
            };
            let local: String = local
                .to_lowercase()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_'))
                .collect();
            let domain = rng.pick(&[
                "example.com",
                "example.org",
                "example.net",
                "nhs.net.example",
                "mail.example.co.uk",
            ]);
            doc.pii(&format!("{local}@{domain}"), Kind::Email)
        }
        "url" => {
            let id = rng.digits(6);
            let u = match rng.below(3) {
                0 => format!(
                    "https://www.example.org/fundraising/{}-{}",
                    cast.p.first.to_lowercase().replace(' ', "-"),
                    id
                ),
                1 => format!("www.example.com/u/{id}"),
                _ => format!("http://example.net/p?id={id}"),
            };
            doc.pii(&u, Kind::Url)
        }
        "dob" => {
            let d = dob(rng);
            doc.pii(&d, Kind::DateOfBirth)
        }
        "age" => {
            let a = rng.range(18, 99);
            let s = match rng.below(5) {
                0 => format!("{a}y"),
                1 => format!("{a} yo"),
                2 => format!("{a}-year-old"),
                3 => format!("{a} years old"),
                _ => format!("{a} yrs"),
            };
            doc.pii(&s, Kind::Age)
        }
        "agenum" => {
            let a = rng.range(18, 104).to_string();
            doc.pii(&a, Kind::Age)
        }
        "mrn" => {
            let m = mrn(rng);
            doc.pii(&m, Kind::HospitalNumber)
        }
        "addr" => {
            let town = rng.chance(0.6);
            let a = street_address(rng, town);
            doc.pii(&a, Kind::Address);
            if rng.chance(0.8) {
                doc.push(if rng.chance(0.5) { ", " } else { " " });
                let p = postcode(rng);
                doc.pii(&p, Kind::Postcode);
            }
        }
        "street" => {
            let a = street_address(rng, true);
            doc.pii(&a, Kind::Address)
        }
        "drug" => {
            let w = *rng.pick(cast.fam.drugs);
            doc.keep(w)
        }
        "dose" => {
            let w = *rng.pick(DOSES);
            doc.keep(w)
        }
        "freq" => {
            let w = *rng.pick(FREQS);
            doc.keep(w)
        }
        "route" => {
            let w = *rng.pick(ROUTES);
            doc.keep(w)
        }
        "time" => {
            let t = time(rng);
            doc.keep(&t)
        }
        "ward" => {
            let w = *rng.pick(cast.fam.wards);
            doc.keep(w)
        }
        "bed" => {
            let b = format!("{} {}", rng.pick(&["bed", "Bed"]), rng.range(1, 30));
            doc.keep(&b)
        }
        "bay" => {
            let b = format!("{} {}", rng.pick(&["Bay", "bay", "side room"]), rng.range(1, 8));
            doc.keep(&b)
        }
        "version" => {
            let v = version(rng);
            doc.keep(&v)
        }
        "order" => {
            let o = order_id(rng);
            doc.keep(&o)
        }
        "order4" => {
            let o = rng.digits(3);
            doc.push(&o)
        }
        "idate" => {
            let d = incident_date(rng);
            doc.keep(&d)
        }
        "product" => {
            let w = *rng.pick(cast.fam.products);
            doc.keep(w)
        }
        "ods" => {
            let o = ods(rng);
            doc.keep(&o)
        }
        "badnum" => {
            let n = bad_ten(rng, "");
            doc.keep(&n)
        }
        "ticket" => {
            let t = format!("{}{}", rng.pick(&["INC", "CHG", "REQ", "PRB"]), rng.digits(7));
            doc.keep(&t)
        }
        "thing" => {
            let w = *rng.pick(SYSTEM_THINGS);
            doc.push(w)
        }
        "role" => {
            let w = *rng.pick(ROLES);
            doc.push(w)
        }
        "rel" => doc.push(cast.rel),
        "title" => doc.push(cast.p.title),
        other => doc.push(other),
    }
}

fn document(rng: &mut Rng, id: String, fam: &'static Family) -> Labelled {
    let r = Person::random(rng, false, fam.pools);
    let rel = if r.female {
        *rng.pick(&[
            "daughter", "wife", "mother", "sister", "niece", "partner", "carer", "friend",
        ])
    } else {
        *rng.pick(&[
            "son", "husband", "father", "brother", "nephew", "partner", "carer", "friend",
        ])
    };
    let cast = Cast {
        fam,
        p: Person::random(rng, false, fam.pools),
        s: Person::random(rng, true, fam.pools),
        t: Person::random(rng, true, fam.pools),
        r,
        rel,
    };
    let mut doc = Doc::new();
    if rng.chance(0.4) {
        let h = *rng.pick(fam.headers);
        render(&mut doc, rng, &cast, h);
        doc.push("\n");
    }
    let n = 3 + rng.below(5);
    let mut used: Vec<usize> = Vec::new();
    let keeps = 1 + rng.below(3);
    let total = n + keeps;
    for k in 0..total {
        if k > 0 {
            doc.push(if rng.chance(0.12) { "\n\n" } else { " " });
        }
        let template = if k % 3 == 1 && used.iter().filter(|&&u| u >= 1000).count() < keeps {
            let i = rng.below(fam.keep.len());
            used.push(1000 + i);
            fam.keep[i]
        } else {
            let mut i = rng.below(fam.narrative.len());
            while used.contains(&i) {
                i = (i + 1) % fam.narrative.len();
            }
            used.push(i);
            fam.narrative[i]
        };
        render(&mut doc, rng, &cast, template);
    }
    if rng.chance(0.3) {
        doc.push("\n");
        let f = *rng.pick(fam.footers);
        render(&mut doc, rng, &cast, f);
    }
    Labelled {
        id,
        text: doc.text,
        spans: doc.spans,
        keep: doc.keep,
    }
}

/// A fictional patient and the people around them, for rendering synthetic screens (the screenshot
/// evaluation in `candour-image`). Same pools and identifier formats as the text corpus.
#[derive(Debug, Clone, PartialEq)]
pub struct ScreenPatient {
    pub title: String,
    pub first: String,
    pub last: String,
    /// Date of birth as banners print it, e.g. `12-Mar-1954` or `12/03/1954`.
    pub born: String,
    /// Age as banners print it, e.g. `70y`.
    pub age: String,
    /// NHS number from the 999 range, usually `999 123 4567`.
    pub nhs: String,
    pub mrn: String,
    /// House number, street and town.
    pub street: String,
    pub postcode: String,
    pub phone: String,
    pub email: String,
    /// Next of kin (first, last).
    pub kin: (String, String),
    /// Prescribers (title, first, last).
    pub staff: Vec<(String, String, String)>,
    /// Medication rows (date, drug, dose and frequency): must-keep clinical content.
    pub meds: Vec<(String, String, String)>,
}

/// A deterministic [`ScreenPatient`].
pub fn screen_patient(seed: u64) -> ScreenPatient {
    let mut rng = Rng::new(seed ^ 0x5C8E_E115_7A7E_0001);
    let p = Person::random(&mut rng, false, POOLS);
    let kin = Person::random(&mut rng, false, POOLS);
    let (d, m, y) = (rng.range(1, 28), rng.range(1, 12), rng.range(1930, 2006));
    let month = MONTHS[(m - 1) as usize];
    let born = match rng.below(4) {
        0 => format!("{d:02}/{m:02}/{y}"),
        1 => format!("{d} {} {y}", &month[..3]),
        _ => format!("{d:02}-{}-{y}", &month[..3]),
    };
    let nhs = mod11_number(&mut rng, "999");
    let nhs = if rng.chance(0.8) {
        format!("{} {} {}", &nhs[..3], &nhs[3..6], &nhs[6..])
    } else {
        nhs
    };
    let postcode = loop {
        let pc = postcode(&mut rng);
        if pc.contains(' ') && pc.chars().all(|c| !c.is_ascii_lowercase()) {
            break pc;
        }
    };
    let staff = (0..3)
        .map(|_| {
            let s = Person::random(&mut rng, true, POOLS);
            let title = *rng.pick(&["Dr", "Dr", "Nurse", "Mr", "Ms"]);
            (title.to_string(), s.first.to_string(), s.last.to_string())
        })
        .collect();
    let meds = (0..3)
        .map(|_| {
            let yy = rng.range(2023, 2026);
            let date = format!("{:02}/{:02}/{yy}", rng.range(1, 28), rng.range(1, 12));
            let drug = rng.pick(DRUGS).to_string();
            let dose = format!("{} {}", rng.pick(DOSES), rng.pick(FREQS));
            (date, drug, dose)
        })
        .collect();
    let email_local: String = format!("{}.{}", kin.first, kin.last)
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    let phone = match rng.below(3) {
        0 => format!("07700 900{:03}", rng.below(1000)),
        1 => format!("0113 496 0{:03}", rng.below(1000)),
        _ => format!("020 7946 0{:03}", rng.below(1000)),
    };
    ScreenPatient {
        title: p.title.to_string(),
        first: p.first.to_string(),
        last: p.last.to_string(),
        born,
        age: format!("{}y", 2026 - y),
        nhs,
        mrn: mrn(&mut rng),
        street: street_address(&mut rng, true),
        postcode,
        phone,
        email: format!("{email_local}@example.com"),
        kin: (kin.first.to_string(), kin.last.to_string()),
        staff,
        meds,
    }
}

/// A deterministic synthetic corpus of `n` UK incident narratives for `seed`.
pub fn corpus(seed: u64, n: usize) -> Vec<Labelled> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| document(&mut rng, format!("syn-{seed}-{i:05}"), &MAIN))
        .collect()
}

/// A corpus from the held-out template family (different phrasing, document types,
/// name pools and vocabulary), which is never used to tune the detectors.
pub fn holdout(seed: u64, n: usize) -> Vec<Labelled> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| document(&mut rng, format!("hold-{seed}-{i:05}"), &holdout::HOLDOUT))
        .collect()
}

/// About 1,000 texts of roughly 200 words each, for throughput measurements.
pub fn bench_texts(seed: u64) -> Vec<String> {
    let docs = corpus(seed, 6_000);
    let mut out = Vec::new();
    let mut cur = String::new();
    for d in docs {
        if !cur.is_empty() {
            cur.push('\n');
        }
        cur.push_str(&d.text);
        if cur.split_whitespace().count() >= 200 {
            out.push(std::mem::take(&mut cur));
            if out.len() == 1_000 {
                break;
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Scoring.
// ---------------------------------------------------------------------------

/// Recall for one identifier type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeScore {
    /// The gold type.
    pub kind: Kind,
    /// Gold entities of this type.
    pub total: usize,
    /// Entities fully covered by redactions (of any type).
    pub found: usize,
    /// Entities overlapped by a redaction of the same type (label agreement).
    pub typed: usize,
}

impl TypeScore {
    /// Strict-coverage recall (1.0 when there are no entities).
    pub fn recall(&self) -> f64 {
        ratio(self.found, self.total, 1.0)
    }
}

/// Evaluation results (domain reference §5).
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    /// Documents scored.
    pub docs: usize,
    /// Whitespace-separated words in all documents.
    pub words: usize,
    /// Per-type results, in [`Kind::ALL`] order, types with no entities omitted.
    pub per_type: Vec<TypeScore>,
    /// Gold entities.
    pub entities: usize,
    /// Entities fully covered (strict coverage, any type).
    pub found: usize,
    /// Untyped strict-coverage recall: found / entities.
    pub recall: f64,
    /// Character recall: PII chars redacted / PII chars.
    pub char_recall: f64,
    /// Character precision: redacted chars that are PII / redacted chars.
    pub precision: f64,
    /// F2 from character precision and character recall.
    pub f2: f64,
    /// Documents with at least one entity not fully covered.
    pub docs_with_leak: usize,
    /// Must-keep tokens in the corpus.
    pub keep_total: usize,
    /// Must-keep tokens overlapped by a redaction.
    pub keep_damaged: usize,
    /// Missed entities per 100,000 words.
    pub fn_per_100k_words: f64,
    /// Up to 20 missed entities, as "kind: text" (synthetic data only).
    pub missed_examples: Vec<String>,
    /// Up to 20 damaged must-keep tokens.
    pub damaged_examples: Vec<String>,
}

impl Scores {
    /// Fraction of documents with a leak.
    pub fn leak_rate(&self) -> f64 {
        ratio(self.docs_with_leak, self.docs, 0.0)
    }
    /// Fraction of must-keep tokens damaged.
    pub fn keep_damaged_rate(&self) -> f64 {
        ratio(self.keep_damaged, self.keep_total, 0.0)
    }
    /// Recall for one type, if the corpus has entities of that type.
    pub fn recall_of(&self, kind: Kind) -> Option<f64> {
        self.per_type.iter().find(|t| t.kind == kind).map(TypeScore::recall)
    }
}

fn ratio(a: usize, b: usize, empty: f64) -> f64 {
    if b == 0 {
        empty
    } else {
        a as f64 / b as f64
    }
}

/// Scores a [`Redactor`] on labelled documents.
pub fn score(r: &Redactor, docs: &[Labelled]) -> Scores {
    score_with(docs, |t| r.find(t))
}

/// Scores any detector (a function from text to char-offset spans) on labelled documents.
pub fn score_with<F: FnMut(&str) -> Vec<Span>>(docs: &[Labelled], mut detect: F) -> Scores {
    let mut per: Vec<TypeScore> = Kind::ALL
        .iter()
        .map(|&kind| TypeScore {
            kind,
            total: 0,
            found: 0,
            typed: 0,
        })
        .collect();
    let (mut pii_chars, mut pii_hit, mut red_chars, mut red_true) = (0usize, 0usize, 0usize, 0usize);
    let (mut leaks, mut keep_total, mut keep_damaged, mut words) = (0, 0, 0, 0);
    let mut missed_examples = Vec::new();
    let mut damaged_examples = Vec::new();
    for d in docs {
        let chars: Vec<char> = d.text.chars().collect();
        let n = chars.len();
        words += d.text.split_whitespace().count();
        let spans = detect(&d.text);
        let mut redacted = vec![false; n];
        for s in &spans {
            for c in redacted.iter_mut().take(s.end.min(n)).skip(s.start) {
                *c = true;
            }
        }
        let mut gold = vec![false; n];
        let mut leaked = false;
        for &(s, e, kind) in &d.spans {
            let (s, e) = (s.min(n), e.min(n));
            for g in gold.iter_mut().take(e).skip(s) {
                *g = true;
            }
            let covered = redacted[s..e].iter().all(|&r| r);
            let typed = spans
                .iter()
                .any(|p| p.start < e && p.end > s && same_family(p.kind, kind));
            if let Some(t) = per.iter_mut().find(|t| t.kind == kind) {
                t.total += 1;
                t.found += usize::from(covered);
                t.typed += usize::from(typed);
            }
            if !covered {
                leaked = true;
                if missed_examples.len() < 20 {
                    let text: String = chars[s..e].iter().collect();
                    let ctx_s = s.saturating_sub(30);
                    let ctx_e = (e + 30).min(n);
                    let ctx: String = chars[ctx_s..ctx_e].iter().collect();
                    missed_examples.push(format!("{}: {:?} in {:?}", kind.as_str(), text, ctx));
                }
            }
        }
        leaks += usize::from(leaked);
        for i in 0..n {
            pii_chars += usize::from(gold[i]);
            pii_hit += usize::from(gold[i] && redacted[i]);
            red_chars += usize::from(redacted[i]);
            red_true += usize::from(gold[i] && redacted[i]);
        }
        for &(s, e) in &d.keep {
            keep_total += 1;
            let (s, e) = (s.min(n), e.min(n));
            if redacted[s..e].iter().any(|&r| r) {
                keep_damaged += 1;
                if damaged_examples.len() < 20 {
                    let ctx: String = chars[s.saturating_sub(30)..(e + 30).min(n)].iter().collect();
                    let text: String = chars[s..e].iter().collect();
                    damaged_examples.push(format!("{text:?} in {ctx:?}"));
                }
            }
        }
    }
    let entities: usize = per.iter().map(|t| t.total).sum();
    let found: usize = per.iter().map(|t| t.found).sum();
    let precision = ratio(red_true, red_chars, 1.0);
    let char_recall = ratio(pii_hit, pii_chars, 1.0);
    let f2 = if precision + char_recall == 0.0 {
        0.0
    } else {
        5.0 * precision * char_recall / (4.0 * precision + char_recall)
    };
    per.retain(|t| t.total > 0);
    Scores {
        docs: docs.len(),
        words,
        per_type: per,
        entities,
        found,
        recall: ratio(found, entities, 1.0),
        char_recall,
        precision,
        f2,
        docs_with_leak: leaks,
        keep_total,
        keep_damaged,
        fn_per_100k_words: ratio(entities - found, words, 0.0) * 100_000.0,
        missed_examples,
        damaged_examples,
    }
}

/// NHS and CHI numbers share one validator; DOBs and dates are both dates.
fn same_family(a: Kind, b: Kind) -> bool {
    let fam = |k: Kind| match k {
        Kind::Chi => Kind::NhsNumber,
        Kind::Date => Kind::DateOfBirth,
        k => k,
    };
    fam(a) == fam(b)
}

impl fmt::Display for Scores {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} documents, {} words, {} identifiers",
            self.docs, self.words, self.entities
        )?;
        writeln!(
            f,
            "{:<16} {:>7} {:>7} {:>8} {:>8}",
            "type", "total", "found", "recall", "typed"
        )?;
        for t in &self.per_type {
            writeln!(
                f,
                "{:<16} {:>7} {:>7} {:>8.4} {:>8.4}",
                t.kind.as_str(),
                t.total,
                t.found,
                t.recall(),
                ratio(t.typed, t.total, 1.0)
            )?;
        }
        writeln!(
            f,
            "{:<34} {:.4} ({}/{})",
            "recall (untyped, strict coverage)", self.recall, self.found, self.entities
        )?;
        writeln!(f, "{:<34} {:.4}", "char recall", self.char_recall)?;
        writeln!(f, "{:<34} {:.4}", "char precision", self.precision)?;
        writeln!(f, "{:<34} {:.4}", "F2 (chars)", self.f2)?;
        writeln!(
            f,
            "{:<34} {:.4} ({}/{})",
            "documents with a leak",
            self.leak_rate(),
            self.docs_with_leak,
            self.docs
        )?;
        writeln!(
            f,
            "{:<34} {:.4} ({}/{})",
            "must-keep tokens damaged",
            self.keep_damaged_rate(),
            self.keep_damaged,
            self.keep_total
        )?;
        writeln!(
            f,
            "{:<34} {:.1}",
            "false negatives per 100k words", self.fn_per_100k_words
        )?;
        if !self.missed_examples.is_empty() {
            writeln!(f, "sample misses:")?;
            for m in self.missed_examples.iter().take(10) {
                writeln!(f, "  {m}")?;
            }
        }
        if !self.damaged_examples.is_empty() {
            writeln!(f, "sample damaged must-keep tokens:")?;
            for m in self.damaged_examples.iter().take(10) {
                writeln!(f, "  {m}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_is_deterministic_and_well_formed() {
        let a = corpus(7, 50);
        let b = corpus(7, 50);
        assert_eq!(a, b);
        assert_ne!(a, corpus(8, 50));
        for d in &a {
            let n = d.text.chars().count();
            for &(s, e, _) in &d.spans {
                assert!(s < e && e <= n, "{}", d.id);
            }
            for &(s, e) in &d.keep {
                assert!(s < e && e <= n, "{}", d.id);
            }
        }
    }

    #[test]
    fn generated_identifiers_are_valid() {
        let mut rng = Rng::new(1);
        for _ in 0..200 {
            let n: String = nhs_number(&mut rng).chars().filter(char::is_ascii_digit).collect();
            assert!(n.starts_with("999") && checks::mod11_valid(n.as_bytes()));
            let c: String = chi_number(&mut rng).chars().filter(char::is_ascii_digit).collect();
            assert!(checks::mod11_valid(c.as_bytes()) && &c[6..8] == "99" && checks::valid_ddmmyy(c.as_bytes()));
            assert!(!checks::mod11_valid(bad_ten(&mut rng, "").as_bytes()));
        }
    }

    #[test]
    fn oracle_scores_perfect_and_empty_scores_zero() {
        let docs = corpus(3, 100);
        let oracle = |t: &str| -> Vec<Span> {
            let d = docs
                .iter()
                .find(|d| d.text == t)
                .map(|d| d.spans.clone())
                .unwrap_or_default();
            d.into_iter()
                .map(|(start, end, kind)| Span {
                    start,
                    end,
                    kind,
                    reason: String::new(),
                    score: 1.0,
                })
                .collect()
        };
        let s = score_with(&docs, oracle);
        assert_eq!(s.recall, 1.0);
        assert_eq!(s.precision, 1.0);
        assert_eq!(s.docs_with_leak, 0);
        assert_eq!(s.keep_damaged, 0);
        assert!(s.per_type.iter().all(|t| t.recall() == 1.0));

        let empty = score_with(&docs, |_| Vec::new());
        assert_eq!(empty.recall, 0.0);
        assert_eq!(empty.found, 0);
        assert_eq!(
            empty.docs_with_leak,
            docs.iter().filter(|d| !d.spans.is_empty()).count()
        );
        assert!(empty.fn_per_100k_words > 0.0);
    }
}
