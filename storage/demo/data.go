package demo

// The word lists a demo book is drawn from.

type place struct {
	country string // ISO-2, as CRMs store it
	region  string
	zone    string // IANA
	cities  []string
	tld     string
	phone   func(r *rng) string
	weight  int
}

var places = []place{
	{"US", "Northeast", "America/New_York", []string{"New York", "Boston", "Philadelphia", "Atlanta", "Miami"}, ".com", usPhone("212", "617", "215", "404", "305"), 16},
	{"US", "Midwest", "America/Chicago", []string{"Chicago", "Dallas", "Austin", "Minneapolis", "Houston"}, ".com", usPhone("312", "214", "512", "612", "713"), 12},
	{"US", "Mountain", "America/Denver", []string{"Denver", "Boulder", "Salt Lake City"}, ".com", usPhone("303", "720", "801"), 4},
	{"US", "West", "America/Los_Angeles", []string{"San Francisco", "Seattle", "Los Angeles", "Portland", "San Diego"}, ".com", usPhone("415", "206", "213", "503", "619"), 14},
	{"CA", "Ontario", "America/Toronto", []string{"Toronto", "Ottawa", "Waterloo"}, ".ca", usPhone("416", "613", "519"), 5},
	{"CA", "British Columbia", "America/Vancouver", []string{"Vancouver", "Victoria"}, ".ca", usPhone("604", "250"), 2},
	{"GB", "England", "Europe/London", []string{"London", "Manchester", "Bristol", "Leeds"}, ".co.uk", func(r *rng) string { return "+44 20 " + r.digits(4) + " " + r.digits(4) }, 9},
	{"DE", "Bavaria", "Europe/Berlin", []string{"Munich", "Nuremberg"}, ".de", func(r *rng) string { return "+49 89 " + r.digits(8) }, 4},
	{"DE", "Berlin", "Europe/Berlin", []string{"Berlin", "Hamburg", "Frankfurt"}, ".de", func(r *rng) string { return "+49 30 " + r.digits(8) }, 4},
	{"FR", "Île-de-France", "Europe/Paris", []string{"Paris", "Lyon", "Toulouse"}, ".fr", func(r *rng) string {
		return "+33 1 " + r.digits(2) + " " + r.digits(2) + " " + r.digits(2) + " " + r.digits(2)
	}, 5},
	{"NL", "North Holland", "Europe/Amsterdam", []string{"Amsterdam", "Rotterdam", "Utrecht"}, ".nl", func(r *rng) string { return "+31 20 " + r.digits(3) + " " + r.digits(4) }, 3},
	{"SE", "Stockholm", "Europe/Stockholm", []string{"Stockholm", "Gothenburg", "Malmö"}, ".se", func(r *rng) string { return "+46 8 " + r.digits(3) + " " + r.digits(3) + " " + r.digits(2) }, 3},
	{"ES", "Madrid", "Europe/Madrid", []string{"Madrid", "Barcelona", "Valencia"}, ".es", func(r *rng) string { return "+34 91" + r.digits(1) + " " + r.digits(3) + " " + r.digits(3) }, 3},
	{"IN", "Karnataka", "Asia/Kolkata", []string{"Bengaluru", "Mumbai", "Pune", "Hyderabad"}, ".in", func(r *rng) string { return "+91 80 " + r.digits(4) + " " + r.digits(4) }, 5},
	{"SG", "Singapore", "Asia/Singapore", []string{"Singapore"}, ".sg", func(r *rng) string { return "+65 6" + r.digits(3) + " " + r.digits(4) }, 2},
	{"AU", "New South Wales", "Australia/Sydney", []string{"Sydney", "Newcastle"}, ".com.au", func(r *rng) string { return "+61 2 " + r.digits(4) + " " + r.digits(4) }, 3},
	{"AU", "Victoria", "Australia/Melbourne", []string{"Melbourne", "Geelong"}, ".com.au", func(r *rng) string { return "+61 3 " + r.digits(4) + " " + r.digits(4) }, 2},
	{"BR", "São Paulo", "America/Sao_Paulo", []string{"São Paulo", "Campinas"}, ".com.br", func(r *rng) string { return "+55 11 9" + r.digits(4) + "-" + r.digits(4) }, 3},
	{"IE", "Leinster", "Europe/Dublin", []string{"Dublin", "Cork"}, ".ie", func(r *rng) string { return "+353 1 " + r.digits(3) + " " + r.digits(4) }, 2},
}

func usPhone(areas ...string) func(r *rng) string {
	return func(r *rng) string {
		return "+1 (" + areas[r.IntN(len(areas))] + ") 555-" + r.digits(4)
	}
}

type industry struct {
	name   string
	words  []string // descriptors that fit the industry
	weight int
}

var industries = []industry{
	{"Software", []string{"Software", "Labs", "Systems", "Cloud", "Data"}, 18},
	{"SaaS", []string{"Cloud", "Apps", "Platform", "HQ", "Suite"}, 12},
	{"Fintech", []string{"Pay", "Capital", "Ledger", "Finance", "Money"}, 8},
	{"Financial Services", []string{"Capital", "Partners", "Financial", "Advisors"}, 6},
	{"Logistics", []string{"Logistics", "Freight", "Shipping", "Supply"}, 7},
	{"E-commerce", []string{"Shop", "Commerce", "Market", "Goods"}, 6},
	{"Marketing", []string{"Media", "Digital", "Growth", "Agency"}, 5},
	{"Information Technology", []string{"IT", "Networks", "Technologies", "Solutions"}, 7},
	{"Healthcare", []string{"Health", "Care", "Medical", "Bio"}, 7},
	{"Manufacturing", []string{"Industries", "Works", "Manufacturing", "Components"}, 7},
	{"Retail", []string{"Stores", "Retail", "Brands"}, 4},
	{"Education", []string{"Learning", "Academy", "Education"}, 3},
	{"Insurance", []string{"Insurance", "Assurance", "Mutual"}, 3},
	{"Telecommunications", []string{"Telecom", "Mobile", "Networks"}, 2},
	{"Energy", []string{"Energy", "Power", "Solar"}, 2},
	{"Government", []string{"Agency", "Authority", "Services"}, 2},
}

var (
	namePrefixes = []string{"Acu", "Aero", "Alta", "Apex", "Arc", "Astra", "Blue", "Bright", "Cardi", "Cedar",
		"Clear", "Core", "Crest", "Delta", "Echo", "Ever", "Flux", "Forge", "Gala", "Grid", "Halo", "Helio",
		"Iron", "Jade", "Keel", "Kin", "Lumi", "Lyra", "Meri", "Nova", "Oak", "Omni", "Opti", "Orbi", "Peak",
		"Pine", "Quanta", "Radi", "Sky", "Sol", "Terra", "Tri", "Vanta", "Vela", "Veri", "Zen", "Zeph", "North",
		"Silver", "Stone"}
	nameMiddles = []string{"", "", "", "a", "o", "i", "en", "ar", "on", "is", "ex", "al", "um", "ly", "ro", "va"}
	nameEnds    = []string{"bit", "bridge", "field", "gate", "hive", "lane", "line", "logic", "loop", "mark",
		"mint", "path", "point", "port", "scale", "shift", "sight", "span", "stack", "stream", "ware", "wave",
		"works", "wise", "yard", "ly", "ify", "io", "nest", "base"}
	legal = map[string][]string{
		"US": {"Inc.", "Inc.", "LLC", "Corp."}, "CA": {"Inc.", "Ltd."}, "GB": {"Ltd", "Ltd", "plc"},
		"DE": {"GmbH", "GmbH", "AG"}, "FR": {"SAS", "SA"}, "NL": {"B.V.", "B.V."}, "SE": {"AB"},
		"ES": {"S.L.", "S.A."}, "IN": {"Pvt Ltd", "Ltd"}, "SG": {"Pte Ltd"}, "AU": {"Pty Ltd"},
		"BR": {"Ltda.", "S.A."}, "IE": {"Ltd", "DAC"},
	}
	technologies = []string{"Salesforce", "HubSpot", "Snowflake", "Segment", "Marketo", "AWS", "Google Cloud",
		"Azure", "Slack", "Zendesk", "Stripe", "Workday", "SAP", "Oracle", "Shopify", "Datadog", "Jira",
		"Intercom", "Databricks", "Okta"}
	firstNames = []string{"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
		"Elizabeth", "William", "Barbara", "Sarah", "Jessica", "Daniel", "Karen", "Matthew", "Emily", "Anthony",
		"Ashley", "Priya", "Arjun", "Ananya", "Rahul", "Wei", "Mei", "Hiroshi", "Yuki", "Lukas", "Anna", "Felix",
		"Lena", "Lucas", "Camille", "Louis", "Chloé", "Sven", "Astrid", "Erik", "Ingrid", "Pablo", "Lucía",
		"Javier", "Sofía", "Thiago", "Ana", "Gabriel", "Beatriz", "Oliver", "Amelia", "Jack", "Isla", "Noah",
		"Olivia", "Liam", "Emma", "Fatima", "Omar", "Aisha", "Chen", "Siobhán", "Niamh", "Connor", "Sanne", "Daan"}
	lastNames = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
		"Rodriguez", "Martinez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Lee", "Patel",
		"Sharma", "Gupta", "Iyer", "Nguyen", "Tan", "Lim", "Wong", "Sato", "Tanaka", "Müller", "Schmidt",
		"Schneider", "Fischer", "Weber", "Martin", "Bernard", "Dubois", "Laurent", "Andersson", "Johansson",
		"Karlsson", "Nilsson", "García", "Fernández", "López", "Silva", "Santos", "Oliveira", "Souza",
		"O'Brien", "Murphy", "Kelly", "de Vries", "van Dijk", "Bakker", "Jansen", "Walsh", "Campbell", "Clarke",
		"Hughes", "Evans", "Roberts", "Khan", "Ali", "Hassan"}
	titles = []struct {
		title  string
		weight int
	}{
		{"CEO", 3}, {"Co-Founder & CEO", 1}, {"Chief Revenue Officer", 2}, {"Chief Technology Officer", 2},
		{"CFO", 2}, {"COO", 1}, {"VP of Sales", 5}, {"VP Engineering", 3}, {"VP Marketing", 3},
		{"Head of Revenue Operations", 3}, {"Head of Operations", 2}, {"Head of IT", 2},
		{"Director of Sales", 4}, {"Director of IT", 3}, {"Director, Demand Generation", 2},
		{"Sales Operations Manager", 5}, {"RevOps Manager", 4}, {"Marketing Manager", 4},
		{"Procurement Manager", 2}, {"Engineering Manager", 3}, {"Customer Success Lead", 2},
		{"Account Executive", 5}, {"Sales Development Representative", 4}, {"Software Engineer", 3},
		{"Data Analyst", 3}, {"Operations Analyst", 2}, {"Executive Assistant", 1}, {"Consultant", 1},
	}
	notes = map[string][]string{
		"connected": {"Interested in Q1 evaluation", "Asked for pricing deck", "Using a competitor, renewal in spring",
			"Wants a demo for the team", "Budget approved next quarter", "Referred to RevOps lead"},
		"meeting-booked": {"Demo booked with the team", "Discovery call scheduled", "Intro meeting set"},
		"not-interested": {"No budget this year", "Happy with current tool", "Not a priority"},
		"bad-timing":     {"Mid-reorg, call back next month", "Quarter close, try in 30 days"},
		"wrong-person":   {"Not the buyer: try Head of Sales Ops"},
		"left-voicemail": {"", "Mentioned the case study"},
	}
)
