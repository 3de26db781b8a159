-- Demo data: a dental clinic with a web chat channel, FAQs and knowledge articles.
-- The demo owner (a password hash) and the embeddings are added by lib/db/seed.ts.
INSERT INTO businesses (id, slug, name, kind, time_zone, brand_color, greeting, ai_settings)
VALUES (
  '00000000-0000-4000-8000-00000000d001', 'demo-dental', 'Riverside Dental Clinic', 'clinic', 'Europe/London', '#0e7490',
  'Hi! I''m the Riverside Dental assistant. Ask me about appointments, prices or treatments.',
  '{"persona": "Friendly front-desk assistant of Riverside Dental Clinic", "tone": "warm and concise",
    "instructions": "Never give a diagnosis. For pain, swelling or bleeding that will not stop, advise calling the clinic or NHS 111.",
    "prohibitedTopics": ["medical diagnosis", "prescriptions"],
    "emergencyAdvice": "If you are in severe pain, or have swelling or bleeding that will not stop, call us now on 020 7946 0000. Out of hours, call NHS 111. If you have difficulty breathing or swallowing, call 999.",
    "hours": {"enabled": true, "weekly": {"mon": [{"open": "08:30", "close": "18:00"}], "tue": [{"open": "08:30", "close": "18:00"}], "wed": [{"open": "08:30", "close": "18:00"}], "thu": [{"open": "08:30", "close": "20:00"}], "fri": [{"open": "08:30", "close": "17:00"}], "sat": [{"open": "09:00", "close": "13:00"}], "sun": []}}}'::jsonb
)
ON CONFLICT (id) DO NOTHING;

INSERT INTO channels (id, business_id, kind, name, address)
VALUES ('00000000-0000-4000-8000-00000000c001', '00000000-0000-4000-8000-00000000d001', 'web', 'Web chat', 'demo-dental')
ON CONFLICT (id) DO NOTHING;

INSERT INTO faqs (business_id, question, answer) VALUES
('00000000-0000-4000-8000-00000000d001', 'What are your opening hours?', 'We are open Monday to Wednesday 8:30–18:00, Thursday 8:30–20:00, Friday 8:30–17:00 and Saturday 9:00–13:00. We are closed on Sundays.'),
('00000000-0000-4000-8000-00000000d001', 'Where is the clinic?', 'We are at 14 Riverside Walk, Kingston upon Thames, KT1 1QN, two minutes from Kingston station. There is pay-and-display parking on Wood Street.'),
('00000000-0000-4000-8000-00000000d001', 'How do I book an appointment?', 'You can book here in the chat, by phone on 020 7946 0000, or at reception. Tell us the treatment and the days that suit you and we will offer the first free slots.'),
('00000000-0000-4000-8000-00000000d001', 'How much does a check-up cost?', 'A routine check-up with an examination costs £55 for private patients. NHS Band 1 check-ups cost £27.40.'),
('00000000-0000-4000-8000-00000000d001', 'How much is a scale and polish?', 'A hygienist scale and polish costs £65 and takes about 30 minutes.'),
('00000000-0000-4000-8000-00000000d001', 'Do you accept NHS patients?', 'Yes, we see NHS patients for routine care when we have NHS places available. Ask us and we will check the current waiting time.'),
('00000000-0000-4000-8000-00000000d001', 'Do you offer emergency appointments?', 'Yes. We keep emergency slots every weekday morning. Call 020 7946 0000 as soon as we open. Out of hours, call NHS 111.'),
('00000000-0000-4000-8000-00000000d001', 'How can I cancel or change my appointment?', 'Please give us at least 24 hours'' notice by phone or here in the chat. Late cancellations and missed appointments may be charged £25.'),
('00000000-0000-4000-8000-00000000d001', 'How much does teeth whitening cost?', 'Home whitening with custom trays costs £295, including the trays and two weeks of gel. We check your teeth first to make sure whitening is safe for you.'),
('00000000-0000-4000-8000-00000000d001', 'Do you do Invisalign or clear aligners?', 'Yes. An Invisalign consultation costs £50, which is deducted if you go ahead. Treatment usually costs between £2,500 and £4,500.'),
('00000000-0000-4000-8000-00000000d001', 'How much is a dental implant?', 'A single implant with its crown typically costs £2,400. We give you a written plan with the exact price after a consultation and X-ray.'),
('00000000-0000-4000-8000-00000000d001', 'Do you treat children?', 'Yes, we love seeing children. Under-18s are free under the NHS, and we recommend a first visit by their first birthday.'),
('00000000-0000-4000-8000-00000000d001', 'Is there parking or step-free access?', 'There is step-free access through the front door and a ground-floor surgery. Pay-and-display parking is on Wood Street, and there are two disabled bays in front of the clinic.'),
('00000000-0000-4000-8000-00000000d001', 'What payment methods do you accept?', 'We accept cash, all major debit and credit cards, Apple Pay and Google Pay. Treatment over £500 can be spread over 12 months interest-free.'),
('00000000-0000-4000-8000-00000000d001', 'Do you offer payment plans or finance?', 'Yes. Treatment over £500 can be paid over 12 months at 0% interest, subject to approval. We also have a membership plan from £14.50 a month.'),
('00000000-0000-4000-8000-00000000d001', 'What is the dental membership plan?', 'Our membership plan costs £14.50 a month and covers two check-ups and two hygienist visits a year, plus 10% off treatment.'),
('00000000-0000-4000-8000-00000000d001', 'Do you see nervous patients?', 'Yes. Tell us when you book and we will give you a longer appointment. We also offer sedation for some treatments.'),
('00000000-0000-4000-8000-00000000d001', 'What should I do if I knocked out a tooth?', 'Pick the tooth up by the crown, rinse it briefly with milk, put it back in the socket if you can or keep it in milk, and call us straight away on 020 7946 0000. Out of hours call NHS 111.'),
('00000000-0000-4000-8000-00000000d001', 'Do you take walk-ins?', 'We cannot guarantee walk-ins, but call or message us and we will fit you in if a dentist is free.'),
('00000000-0000-4000-8000-00000000d001', 'How long does a filling take and how much is it?', 'A white filling takes 30 to 45 minutes and costs from £120. NHS fillings are Band 2 at £75.30.');

INSERT INTO knowledge_documents (id, business_id, title, source_type, content) VALUES
('00000000-0000-4000-8000-00000000a001', '00000000-0000-4000-8000-00000000d001', 'Before and after a tooth extraction', 'article',
'# Before and after a tooth extraction

## Before your appointment
Eat a light meal beforehand unless you are having sedation. Tell the dentist about any medicines you take, especially blood thinners such as warfarin or apixaban. Bring a list if you are unsure.

## Straight after the extraction
Bite firmly on the gauze for 30 minutes. Do not rinse your mouth, smoke or drink alcohol for 24 hours, because this can dislodge the blood clot. Avoid hot drinks until the numbness wears off so you do not burn yourself.

## The next few days
From the day after, rinse gently with warm salt water after meals, four times a day, for a week. Paracetamol or ibuprofen usually control the pain. Some swelling is normal and peaks after two days.

## When to call us
Call the clinic if bleeding does not stop after an hour of pressure, if pain gets worse after three days (this can be a dry socket), or if you have a fever. Out of hours, call NHS 111.'),
('00000000-0000-4000-8000-00000000a002', '00000000-0000-4000-8000-00000000d001', 'Our treatments and prices', 'article',
'# Treatments and prices

## Check-ups and hygiene
A routine private check-up is £55 and includes an oral cancer screening. Hygienist scale and polish is £65. Children under 18 are seen free under the NHS.

## Fillings and root canals
White fillings start at £120. Root canal treatment costs £450 on a front tooth and £650 on a molar, and usually needs two visits.

## Crowns, bridges and implants
A porcelain crown is £595. A three-unit bridge is from £1,500. A single implant with its crown is typically £2,400.

## Cosmetic dentistry
Home whitening is £295. Composite bonding is £250 per tooth. Invisalign treatment usually costs between £2,500 and £4,500 after a £50 consultation.'),
('00000000-0000-4000-8000-00000000a003', '00000000-0000-4000-8000-00000000d001', 'Cancellation and payment policy', 'article',
'# Cancellation and payment policy

## Cancelling or moving an appointment
We ask for 24 hours'' notice. Appointments cancelled with less notice, or missed, may be charged £25. Hygiene appointments missed twice in a row need a deposit to rebook.

## Paying for treatment
Payment is due on the day of treatment. For courses of treatment over £500 we take a 20% deposit when you book, and you can spread the rest over 12 months interest-free.

## Refunds
If you are unhappy with treatment, talk to us first: we will review it with you. Deposits are refunded in full if you cancel a course of treatment with more than 48 hours'' notice.'),
('00000000-0000-4000-8000-00000000a004', '00000000-0000-4000-8000-00000000d001', 'Looking after sensitive teeth', 'article',
'# Sensitive teeth

## Why teeth become sensitive
Sensitivity usually comes from exposed dentine: worn enamel, receding gums, or brushing too hard. Whitening can cause temporary sensitivity for a few days.

## What helps at home
Use a toothpaste for sensitive teeth twice a day and spit, do not rinse, after brushing. Use a soft brush and gentle circles. Cut down on acidic drinks such as fizzy drinks and fruit juice.

## When to see us
Book a check-up if sensitivity lasts more than two weeks, wakes you at night, or is in one tooth only, because it may be a crack or decay that needs treatment.');
