// The intents a new business starts with, per kind of business: a name, the one-line description the
// owner reads and edits, and a few example messages. The owner's corrections in the inbox add more.
export const BUSINESS_KINDS = ["general", "clinic", "estate_agent", "restaurant", "law_firm"] as const;
export type BusinessKind = (typeof BUSINESS_KINDS)[number];

export const BUSINESS_KIND_LABELS: Record<BusinessKind, string> = {
  general: "General business",
  clinic: "Clinic",
  estate_agent: "Estate agent",
  restaurant: "Restaurant",
  law_firm: "Law firm",
};

export type DefaultIntent = { name: string; description: string; examples: string[] };

const COMPLAINT: DefaultIntent = {
  name: "complaint",
  description: "Unhappy with the service, a bill, a wait or a person; wants to complain or get a refund",
  examples: [
    "I want to make a complaint",
    "This is unacceptable, nobody called me back",
    "I'm very unhappy with how I was treated",
    "I want a refund",
    "Your staff were rude and unhelpful",
    "I was overcharged on my bill",
    "I've been kept waiting for over an hour",
    "The work was done badly and I'm not paying for it",
    "I want to speak to the manager about this",
    "This keeps happening and I'm sick of it",
  ],
};

const HOURS: DefaultIntent = {
  name: "opening hours and location",
  description: "When they are open, where they are, how to get there and park",
  examples: [
    "What time do you open?",
    "Are you open on Saturday?",
    "Where are you located?",
    "Is there parking nearby?",
    "What are your opening times this week?",
    "When do you close today?",
    "What's your address?",
    "Are you open on Sundays or holidays?",
    "Is there step-free access?",
    "Which train station is closest to you?",
  ],
};

export const DEFAULT_INTENTS: Record<BusinessKind, DefaultIntent[]> = {
  general: [
    {
      name: "price question",
      description: "How much something costs, quotes, fees and payment options",
      examples: ["How much does it cost?", "What are your prices?", "Can I pay by card?", "Do you offer discounts?"],
    },
    {
      name: "book or order",
      description: "Wants to book, buy, order or schedule something",
      examples: ["I'd like to book", "Can I order one?", "Do you have availability next week?", "I want to buy this"],
    },
    HOURS,
    COMPLAINT,
  ],
  clinic: [
    {
      name: "book appointment",
      description: "Wants to book, change, move or cancel an appointment, a check-up or a visit; free slots and availability",
      examples: [
        "Can I book an appointment?",
        "I need to reschedule my check-up",
        "Do you have any slots on Friday?",
        "I'd like to cancel my appointment tomorrow",
        "Can I see the hygienist next week?",
        "Is there a free time for an appointment this month?",
        "I'd like to come in for a visit with the dentist",
        "Can I book my daughter in for a check up?",
        "I'm a new patient and would like to register",
        "Please change my booking to another day",
      ],
    },
    {
      name: "emergency",
      description: "Severe pain, swelling, bleeding, an accident or a broken tooth that needs urgent care",
      examples: [
        "I'm in terrible pain and my face is swollen",
        "My tooth broke and it's bleeding",
        "It's an emergency, I need to be seen today",
        "I knocked out a tooth",
        "The pain is unbearable and I can't sleep",
        "My gum is infected and swollen",
        "I have an abscess and a fever",
        "A filling came out and it really hurts",
        "I need urgent help, my tooth is cracked",
        "Bad toothache, can someone see me straight away?",
      ],
    },
    {
      name: "price question",
      description: "How much a treatment, check-up or cleaning costs: prices, fees, charges, cost and paying in instalments",
      examples: [
        "How much is a check-up?",
        "What does a filling cost?",
        "How much do you charge for whitening?",
        "Do you offer payment plans?",
        "What are your prices for a hygienist clean?",
        "How much are braces or aligners?",
        "What is the fee for a new patient?",
        "Is it expensive to get a crown?",
        "Can I pay monthly for my treatment?",
      ],
    },
    {
      name: "insurance",
      description: "Insurance, insurers, NHS, dental plans and policies: whether a treatment is covered or can be claimed",
      examples: [
        "Do you accept my insurance?",
        "Is this covered by my dental plan?",
        "Are you an NHS practice?",
        "Can I claim this on my insurance?",
        "Which insurers do you accept?",
        "Will my health cover pay for the treatment?",
        "Can you bill my insurance company?",
        "Is the treatment free on the NHS?",
        "Does my policy include dental work?",
      ],
    },
    COMPLAINT,
    HOURS,
  ],
  estate_agent: [
    {
      name: "viewing request",
      description: "Wants to view a property or arrange a visit",
      examples: ["Can I book a viewing?", "When can I see the flat?", "I'd like to view the house on Elm Road", "Is it possible to visit this weekend?"],
    },
    {
      name: "buying",
      description: "Looking to buy a home: budget, bedrooms, areas, mortgages and offers",
      examples: ["I'm looking to buy a 3-bedroom house", "What can I get for 400k?", "I want to make an offer", "Do you have houses for sale near the station?"],
    },
    {
      name: "renting",
      description: "Looking to rent: rent, deposit, availability, pets and tenancy",
      examples: ["Do you have flats to rent?", "How much is the deposit?", "Are pets allowed in the rental?", "When does the tenancy start?"],
    },
    {
      name: "valuation",
      description: "Wants their property valued, or to sell or let it through the agency",
      examples: ["How much is my house worth?", "Can you value my flat?", "I want to sell my home", "What are your fees for letting my property?"],
    },
    COMPLAINT,
  ],
  restaurant: [
    {
      name: "reservation",
      description: "Wants to book, change or cancel a table",
      examples: ["Can I book a table for four tonight?", "I'd like to reserve for Saturday at 8", "I need to cancel my reservation", "Do you have a table free now?"],
    },
    {
      name: "menu and allergies",
      description: "What is on the menu, ingredients, allergies and dietary needs",
      examples: ["Do you have vegan options?", "Is the dish gluten free?", "Can I see the menu?", "I have a nut allergy, is that OK?"],
    },
    {
      name: "takeaway and delivery",
      description: "Ordering food to take away or for delivery, and where an order is",
      examples: ["Do you deliver?", "Can I order takeaway?", "Where is my order?", "How long will delivery take?"],
    },
    {
      name: "private event",
      description: "Private dining, parties, groups and catering",
      examples: ["Can we hire the room for a birthday?", "Do you do catering?", "We're a group of 20, can you host us?", "Do you have a set menu for parties?"],
    },
    COMPLAINT,
    HOURS,
  ],
  law_firm: [
    {
      name: "consultation request",
      description: "Wants to book a consultation or speak to a lawyer",
      examples: ["Can I book a consultation?", "I need to speak to a solicitor", "Do you do free initial consultations?", "When can I meet a lawyer?"],
    },
    {
      name: "fees question",
      description: "How much legal work costs, fixed fees, hourly rates and legal aid",
      examples: ["How much do you charge?", "What are your hourly rates?", "Do you offer fixed fees?", "Do you accept legal aid?"],
    },
    {
      name: "case update",
      description: "An existing client asking how their case or matter is going",
      examples: ["Any update on my case?", "Has the other side replied?", "When is my hearing?", "What is happening with my file?"],
    },
    {
      name: "new legal matter",
      description: "Describes a legal problem: divorce, employment, property, a will, an accident claim",
      examples: ["I was unfairly dismissed", "I need help with my divorce", "I want to make a will", "I had an accident at work and want to claim"],
    },
    COMPLAINT,
  ],
};
