namespace Digitise.Samples.Typed;

/// <summary>
/// One layout family of a document type: how its documents are headed, which fields they carry and in what order,
/// what their sections are called and how they close. Families of one type share the type's sentence pool (what such
/// documents talk about) but not their wording of the frame, so a family held out of training tests whether the
/// classifier learned the type or memorised a template.
/// </summary>
internal sealed record TypedFamily(
    string[] Titles,
    string[] Fields,
    string[] Sections,
    string[] Closings,
    bool Letter,
    bool PatientBlockFirst);

/// <summary>A document type the typed generator writes, with its layout families and its sentence pool.</summary>
internal sealed record TypedSpec(string Code, TypedFamily[] Families, string[] Sentences, TypedExtra Extra);

/// <summary>Structured content some types carry besides prose.</summary>
internal enum TypedExtra
{
    None,
    LabTable,
    NoteEntries,
    ConsentTicks,
    MedicationList,
}

/// <summary>
/// The nine default document types, four layout families each. Families 0-2 are for training, family 3 is held out
/// (<see cref="TypedDocumentGenerator.HeldOutFamily"/>).
/// </summary>
internal static class TypedDocumentSpecs
{
    public static readonly TypedSpec[] All =
    [
        new("clinical_letter",
        [
            new(["Outpatient Clinic Letter", "Clinic Letter"], ["Clinic date", "Consultant", "Our ref"], ["Diagnosis", "Current medication", "Plan"], ["Yours sincerely"], Letter: true, PatientBlockFirst: false),
            new(["OUTPATIENT CONSULTATION"], ["Date seen", "Seen by", "Clinic"], ["Diagnoses", "Examination", "Management plan"], ["With kind regards"], Letter: true, PatientBlockFirst: true),
            new(["Department of {spec}"], ["Date of clinic", "Dictated", "Typed"], ["Problem list", "Medication", "Follow up"], ["Yours faithfully"], Letter: true, PatientBlockFirst: false),
            new(["Review Clinic - Letter to GP", "Consultation Summary"], ["Appointment date", "Clinician", "Location"], ["Impression", "Actions for GP", "Next review"], ["Best wishes"], Letter: true, PatientBlockFirst: true),
        ],
        [
            "I reviewed {p} in the {spec} clinic today.",
            "{p} attended the clinic today accompanied by a relative.",
            "I saw {p} again in clinic today for review of {c1}.",
            "Since we last met the symptoms have been broadly stable.",
            "On examination the chest was clear and heart sounds were normal.",
            "Blood pressure in clinic was {bp} mmHg.",
            "I have suggested that the dose of {d1} is continued unchanged.",
            "I would be grateful if you could arrange a repeat renal profile in four weeks.",
            "I will see {p} again in the clinic in {n} months.",
            "I have explained the diagnosis and the treatment options.",
            "We discussed the results of the recent investigations in clinic.",
            "I have not arranged a further clinic appointment but would be happy to see {p} again if needed.",
            "Thank you for your continued care of this patient.",
        ], TypedExtra.None),
        new("discharge_letter",
        [
            new(["Discharge Letter", "Letter on Discharge"], ["Ward", "Date of admission", "Date of discharge"], ["Reason for admission", "Treatment", "Follow up arrangements"], ["Yours sincerely"], Letter: true, PatientBlockFirst: false),
            new(["Notification of Discharge"], ["Discharged from", "Admitted", "Discharged"], ["Presenting complaint", "Course in hospital", "Actions for GP"], ["Kind regards"], Letter: true, PatientBlockFirst: true),
            new(["Inpatient Discharge - Letter to GP"], ["Discharging consultant", "Length of stay", "Discharge destination"], ["Why your patient was admitted", "What we did", "What we ask of you"], ["Yours faithfully"], Letter: true, PatientBlockFirst: false),
            new(["Your Patient Has Left Hospital", "Hospital Discharge Notice"], ["Left hospital on", "Ward / unit", "Responsible clinician"], ["Admission details", "Hospital stay", "After discharge"], ["With best wishes"], Letter: true, PatientBlockFirst: true),
        ],
        [
            "{p} was discharged home from {ward} today.",
            "Your patient was admitted with {c1} and was discharged after {n} days.",
            "{p} was admitted as an emergency via the emergency department.",
            "During the admission {p} was treated with intravenous antibiotics.",
            "{p} made a good recovery and was discharged home with the support of family.",
            "Please continue {d1} on discharge and review in two weeks.",
            "Please arrange for the practice nurse to remove the sutures in ten days.",
            "The patient has been given a supply of medication to take home.",
            "We have arranged a follow up appointment in the outpatient clinic.",
            "The district nurses have been asked to visit after discharge.",
            "We would be grateful if you could review {p} in the surgery after discharge.",
        ], TypedExtra.MedicationList),
        new("referral_letter",
        [
            new(["Referral Letter"], ["Referred to", "Urgency", "Referring GP"], ["Reason for referral", "History", "Current medication"], ["Many thanks"], Letter: true, PatientBlockFirst: false),
            new(["GP REFERRAL"], ["Speciality", "Priority", "Practice"], ["Presenting problem", "Past medical history", "Medication"], ["Yours sincerely"], Letter: true, PatientBlockFirst: true),
            new(["Request for Specialist Opinion"], ["To", "From", "Date of referral"], ["Clinical question", "Background", "Investigations to date"], ["Kind regards"], Letter: true, PatientBlockFirst: false),
            new(["New Patient Referral - Please Book", "e-Referral Letter"], ["Service requested", "Referral type", "Referrer"], ["Why I am referring", "Relevant history", "Allergies"], ["Thank you for seeing this patient"], Letter: true, PatientBlockFirst: true),
        ],
        [
            "Thank you for seeing {p}, who I would be grateful if you could assess.",
            "I would be grateful for your opinion regarding {p}.",
            "I am referring {p} with a three month history of {c1}.",
            "I would value your advice on further management.",
            "{p} has not responded to a trial of {d1}.",
            "I have enclosed the results of recent blood tests.",
            "I would be grateful if you could see {p} urgently under the two week wait pathway.",
            "The symptoms are affecting work and sleep and {p} is keen to be seen.",
            "Please could you see and advise on whether further investigation is needed.",
            "I am referring as the symptoms have persisted despite treatment in primary care.",
        ], TypedExtra.None),
        new("laboratory_report",
        [
            new(["Clinical Biochemistry Report", "BIOCHEMISTRY"], ["Specimen", "Collected", "Received"], ["Results", "Comment"], ["Authorised by"], Letter: false, PatientBlockFirst: true),
            new(["HAEMATOLOGY REPORT", "Full Blood Count"], ["Sample type", "Date collected", "Lab number"], ["Test results", "Laboratory comment"], ["Validated by"], Letter: false, PatientBlockFirst: false),
            new(["Pathology Laboratory Results"], ["Requesting clinician", "Specimen ID", "Reported"], ["Investigations", "Interpretation"], ["Report issued by"], Letter: false, PatientBlockFirst: true),
            new(["Blood Sciences - Cumulative Report", "Laboratory Medicine"], ["Order number", "Sample taken", "Source"], ["Analyte results", "Notes from the laboratory"], ["Checked by biomedical scientist"], Letter: false, PatientBlockFirst: false),
        ],
        [
            "Results outside the reference range are flagged.",
            "Sample slightly haemolysed: potassium may be falsely raised.",
            "Please repeat the test in three months.",
            "Result telephoned to the ward.",
            "Reference ranges apply to adults only.",
            "Suggest repeat sample if clinically indicated.",
            "Specimen received in the laboratory in good condition.",
            "eGFR calculated using the CKD-EPI equation.",
        ], TypedExtra.LabTable),
        new("discharge_summary",
        [
            new(["DISCHARGE SUMMARY"], ["Admitted", "Discharged", "Consultant", "Ward"], ["Diagnosis", "Procedures", "Medication on discharge", "Follow up"], [], Letter: false, PatientBlockFirst: true),
            new(["Inpatient Discharge Summary", "Electronic Discharge Summary"], ["Date of admission", "Date of discharge", "Specialty", "Discharge method"], ["Primary diagnosis", "Secondary diagnoses", "TTO medications", "GP actions"], [], Letter: false, PatientBlockFirst: false),
            new(["Summary of Hospital Stay"], ["Admission date", "Discharge date", "Responsible consultant", "Discharge destination"], ["Principal diagnosis", "Operations and procedures", "Drugs to take out", "Information given to patient"], [], Letter: false, PatientBlockFirst: true),
            new(["Transfer of Care Summary", "Hospital Discharge Record"], ["Arrival date", "Leaving date", "Treating team", "Mode of discharge"], ["Clinical summary", "Investigations", "Medicines changes", "Plan for community"], [], Letter: false, PatientBlockFirst: false),
        ],
        [
            "Admitted with {c1}, treated and discharged in a stable condition.",
            "Length of stay {n} days.",
            "Medically fit for discharge.",
            "Allergies: none known.",
            "Discharge medication reconciled by ward pharmacist.",
            "New medication started during admission: {d1}.",
            "Follow up in outpatient clinic in six weeks.",
            "No follow up required.",
            "Patient and family informed of the diagnosis and plan.",
            "Investigations during admission: chest X-ray, blood cultures.",
        ], TypedExtra.MedicationList),
        new("clinical_note",
        [
            new(["CONTINUATION SHEET", "Continuation Sheet"], [], [], [], Letter: false, PatientBlockFirst: true),
            new(["Medical Notes", "Clinical Notes"], [], [], [], Letter: false, PatientBlockFirst: true),
            new(["Progress Notes"], [], [], [], Letter: false, PatientBlockFirst: false),
            new(["Multidisciplinary Record", "Ward Round Record"], [], [], [], Letter: false, PatientBlockFirst: false),
        ],
        [
            "Ward round. Patient comfortable overnight, eating and drinking.",
            "Seen by physio, mobilising with frame.",
            "Obs stable. BP {bp}, HR {hr}, sats 96% on air.",
            "Bloods reviewed, plan to repeat tomorrow.",
            "Complains of chest discomfort overnight, ECG unchanged.",
            "Discussed with family, happy with plan.",
            "Continue {d1}. Review drug chart.",
            "Wound clean and dry, dressing changed.",
            "Reviewed by registrar. Chest clear.",
            "Catheter removed, passing urine.",
            "OT assessment completed.",
            "Feeling better today. Plan: home tomorrow if well.",
            "Nursing: pressure areas intact, turned two hourly.",
            "Pain controlled with regular paracetamol.",
        ], TypedExtra.NoteEntries),
        new("imaging_report",
        [
            new(["RADIOLOGY REPORT", "Radiology Report"], ["Examination", "Date of examination", "Referrer"], ["Clinical details", "Findings", "Conclusion"], ["Reported by"], Letter: false, PatientBlockFirst: true),
            new(["Diagnostic Imaging Report"], ["Modality", "Study date", "Accession number"], ["Indication", "Technique", "Report", "Impression"], ["Consultant Radiologist"], Letter: false, PatientBlockFirst: false),
            new(["X-RAY REPORT", "Imaging Department"], ["Procedure", "Date performed", "Requested by"], ["History", "Report", "Summary"], ["Dictated by"], Letter: false, PatientBlockFirst: true),
            new(["Scan Result", "Medical Imaging - Result"], ["Study", "Scan date", "Acquired at"], ["Reason for scan", "Observations", "Opinion"], ["Verified by radiologist"], Letter: false, PatientBlockFirst: false),
        ],
        [
            "CT chest abdomen and pelvis with intravenous contrast.",
            "Chest radiograph PA view.",
            "The lungs are clear. No pleural effusion.",
            "Heart size is within normal limits.",
            "No focal consolidation or pneumothorax.",
            "MRI lumbar spine: disc protrusion at L4/5 with nerve root contact.",
            "Ultrasound abdomen: the liver is normal in size and echotexture.",
            "No acute fracture or dislocation is seen.",
            "Comparison is made with the previous study.",
            "Mild degenerative change in the thoracic spine.",
            "Small pulmonary nodule in the right lower lobe, follow up CT suggested.",
            "Appearances are in keeping with {c1}.",
        ], TypedExtra.None),
        new("consent_form",
        [
            new(["Consent Form 1", "CONSENT FORM 1"], ["Name of proposed procedure", "Responsible health professional"], ["Statement of health professional", "Statement of patient"], ["Signature of patient"], Letter: false, PatientBlockFirst: true),
            new(["Patient Agreement to Investigation or Treatment"], ["Procedure", "Site and side"], ["Intended benefits", "Serious or frequently occurring risks", "Patient declaration"], ["Patient signature"], Letter: false, PatientBlockFirst: false),
            new(["Consent to Treatment"], ["Operation", "Anaesthetic"], ["What the procedure involves", "Risks explained", "Confirmation of consent"], ["Signed"], Letter: false, PatientBlockFirst: true),
            new(["Agreement to Surgery or Procedure", "Written Consent Record"], ["Planned intervention", "Operating clinician"], ["Benefits discussed", "Possible complications", "I agree"], ["Signed by the patient"], Letter: false, PatientBlockFirst: false),
        ],
        [
            "I have explained the procedure to the patient, including the intended benefits and the risks.",
            "I agree to the procedure or course of treatment described on this form.",
            "I understand that I will have the opportunity to discuss the details of anaesthesia.",
            "I understand that any procedure in addition to those described will only be carried out if necessary to save my life.",
            "A copy of this form has been offered to the patient.",
            "The patient has been given the information leaflet.",
            "Risks include bleeding, infection and the need for further surgery.",
            "Alternative treatments including no treatment have been discussed.",
            "I have been told about additional procedures which may become necessary.",
        ], TypedExtra.ConsentTicks),
        new(DocumentTypeCodes.Other,
        [
            new(["Telephone Message"], ["Caller", "Taken by", "Time"], ["Message"], ["Action taken"], Letter: false, PatientBlockFirst: false),
            new(["Patient Property Record", "Property Disclaimer"], ["Ward", "Items listed by"], ["Items"], ["Signature of witness"], Letter: false, PatientBlockFirst: true),
            new(["Fax Cover Sheet", "FACSIMILE"], ["To", "From", "Number of pages"], ["Message"], ["Confidential"], Letter: false, PatientBlockFirst: false),
            new(["Appointment Card", "Transport Booking Form"], ["Appointment", "Venue", "Booked by"], ["Details"], ["Please bring this card"], Letter: false, PatientBlockFirst: true),
        ],
        [
            "Please call back regarding the appointment.",
            "Glasses, hearing aid and wallet handed to relative.",
            "This transmission contains confidential information intended for the addressee only.",
            "If you have received this in error please notify the sender.",
            "Wheelchair transport required, one escort.",
            "Patient wishes to change the appointment to a morning.",
            "Please arrive ten minutes before your appointment time.",
            "Message passed to the secretary.",
        ], TypedExtra.None),
    ];
}

/// <summary>The codes of the default type list that the generator needs by name.</summary>
internal static class DocumentTypeCodes
{
    public const string Other = "other";
}
