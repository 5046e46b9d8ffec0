namespace Digitise.Samples;

/// <summary>Name, place and clinical word lists for the synthetic records.</summary>
internal static class Names
{
    public static readonly string[] Family =
    [
        "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
        "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke",
        "Patel", "Khan", "Hussain", "Ahmed", "Begum", "Shaw", "Holmes", "Barker", "Atkinson", "Hirst",
        "Sutcliffe", "Brook", "Ackroyd", "Haigh", "Lister", "Pickles", "Firth", "Greenwood", "Crowther", "Mitchell",
        "Turner", "Hughes", "Edwards", "Lewis", "Harris", "Martin", "Cooper", "Ward", "Morris", "Moore",
        "Kaur", "Singh", "Baker", "Bennett", "Carter", "Dixon", "Fletcher", "Gibson", "Harrison", "Kelly",
        "Lee", "Marshall", "Mason", "Murphy", "Parker", "Pearson", "Richardson", "Saunders", "Stevens", "Webster",
        "Whitehead", "Woodhead", "Bairstow", "Oldroyd", "Rhodes", "Ramsden", "Illingworth", "Ogden", "Hepworth", "Nowak",
    ];

    public static readonly string[] Male =
    [
        "John", "David", "Peter", "Michael", "Paul", "Andrew", "Mark", "Stephen", "Richard", "Christopher",
        "Brian", "Alan", "Kevin", "Gary", "Ian", "Keith", "Colin", "Derek", "Graham", "Trevor",
        "George", "Harry", "Jack", "Oliver", "Mohammed", "Imran", "Daniel", "Matthew", "Simon", "Neil",
        "Arthur", "Frank", "Harold", "Norman", "Dennis", "Raymond", "Gordon", "Philip", "Martin", "Adam",
    ];

    public static readonly string[] Female =
    [
        "Mary", "Susan", "Linda", "Karen", "Sarah", "Helen", "Julie", "Janet", "Jean", "Ann",
        "Joan", "Dorothy", "Doreen", "Irene", "Brenda", "Sandra", "Pauline", "Christine", "Gillian", "Carol",
        "Emma", "Claire", "Rachel", "Nicola", "Amy", "Sophie", "Fatima", "Ayesha", "Nasreen", "Lucy",
        "Edith", "Hilda", "Marjorie", "Shirley", "Barbara", "Valerie", "Wendy", "Lesley", "Anne", "Alison",
    ];

    /// <summary>Formal given name on the index, nickname on the document, sex.</summary>
    public static readonly (string Formal, string Nick, char Sex)[] Nicknames =
    [
        ("William", "Bill", 'M'), ("Margaret", "Maggie", 'F'), ("Robert", "Bob", 'M'), ("Elizabeth", "Betty", 'F'),
        ("James", "Jim", 'M'), ("Catherine", "Kate", 'F'), ("Thomas", "Tom", 'M'), ("Patricia", "Pat", 'F'),
        ("Anthony", "Tony", 'M'), ("Kathleen", "Kath", 'F'), ("Edward", "Ted", 'M'), ("Deborah", "Debbie", 'F'),
    ];

    public static readonly string[] McMac = ["MacDonald", "McKenzie", "MacLeod", "McIntyre", "MacGregor", "McKay"];

    public static readonly string[] Hyphenated =
        ["Ashworth-Clarke", "Lloyd-Evans", "Wood-Hirst", "Brooke-Taylor", "Shaw-Mitchell", "Hartley-Jones"];

    public static readonly string[] Apostrophe = ["O'Neill", "O'Brien", "O'Connor", "D'Souza", "O'Hara", "O'Sullivan"];

    public static readonly (string Prefix, string Town)[] Areas =
    [
        ("LS", "Leeds"), ("BD", "Bradford"), ("HX", "Halifax"), ("WF", "Wakefield"), ("HG", "Harrogate"), ("YO", "York"),
        ("HD", "Huddersfield"),
    ];

    public static readonly string[] Streets =
    [
        "Mill Lane", "Church Street", "Victoria Road", "Station Road", "Park Avenue", "Moorland View", "Back Lane",
        "Albert Terrace", "Hyde Park Road", "Otley Road", "Manor Drive", "Chapel Fold", "Beech Grove", "Woodhouse Lane",
        "Kirkgate", "Westgate", "Cliffe Road", "Sunny Bank", "Oak Crescent", "Springfield Mount", "Harehills Lane",
        "Long Causeway", "Green Lane", "Queens Road", "Nab Lane", "Fountain Street", "Acre Close", "Dale View",
    ];

    public static readonly string[] Localities =
        ["Headingley", "Horsforth", "Shipley", "Morley", "Sowerby Bridge", "Ossett", "Knaresborough", "Acomb",
         "Armley", "Bramley", "Keighley", "Ilkley", "Brighouse", "Elland", "Pudsey", "Rothwell"];

    public static readonly string[] Consultants =
        ["Dr R Khan", "Dr S Whitaker", "Mr P Donnelly", "Dr H Okafor", "Mrs J Barraclough", "Dr A Chaudhry",
         "Mr D Greaves", "Dr L Fenwick", "Dr M Oduya", "Mr T Rushworth"];

    public static readonly string[] Specialties =
        ["Cardiology", "Respiratory Medicine", "General Surgery", "Diabetes and Endocrinology", "Gastroenterology",
         "Orthopaedics", "Care of the Elderly", "Rheumatology", "Neurology", "Urology"];

    public static readonly string[] Hospitals =
        ["Aire Valley General Hospital", "St Wilfrid's Hospital", "Calder Royal Infirmary", "Riverside District Hospital",
         "Moorside Community Hospital"];

    public static readonly string[] Wards =
        ["Ward 12", "Ward 7 (Acute Medical Unit)", "Ward 24", "Ward 3 (Elderly Care)", "Ward 18", "Coronary Care Unit"];

    public static readonly string[] Gps =
        ["Dr A Patel", "Dr K Morrison", "Dr E Lambert", "Dr J Sykes", "Dr N Qureshi", "Dr C Holroyd"];

    public static readonly string[] Conditions =
        ["type 2 diabetes", "hypertension", "atrial fibrillation", "chronic obstructive pulmonary disease",
         "osteoarthritis of the right knee", "angina", "hypothyroidism", "chronic kidney disease stage 3",
         "asthma", "gout", "heart failure", "iron deficiency anaemia", "gastro-oesophageal reflux disease",
         "benign prostatic hyperplasia", "polymyalgia rheumatica"];

    public static readonly string[] Drugs =
        ["metformin 500 mg twice daily", "ramipril 5 mg once daily", "amlodipine 10 mg once daily",
         "atorvastatin 20 mg at night", "bisoprolol 2.5 mg once daily", "apixaban 5 mg twice daily",
         "levothyroxine 100 micrograms once daily", "omeprazole 20 mg once daily", "furosemide 40 mg in the morning",
         "allopurinol 100 mg once daily", "paracetamol 1 g four times daily", "salbutamol inhaler as required",
         "prednisolone 15 mg once daily", "tamsulosin 400 micrograms once daily", "ferrous fumarate 210 mg twice daily"];
}
