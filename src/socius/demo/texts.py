"""The French words of the demo story: offers, messages, posts."""

from __future__ import annotations

OFFERS = (
    ("journee-adulte", "Billet Journée adulte", 3990),
    ("journee-enfant", "Billet Journée enfant (3-11 ans)", 3290),
    ("pass-annuel", "Pass Annuel Lumières", 12900),
    ("nocturne", "Nocturne d'été", 2450),
    ("halloween", "Soirée Halloween", 2990),
    ("famille", "Forfait Famille (2 adultes + 2 enfants)", 11900),
    ("hotel-2-jours", "Séjour Hôtel des Lumières + 2 jours", 28900),
)
GATES = (
    "Entrée au parc par la porte Nord",
    "Entrée au parc par la porte Sud",
    "Entrée au parc par l'accès de l'Hôtel",
)
CAMPAIGNS = (
    "Halloween au Parc",
    "Les Lumières de Noël",
    "Nocturnes d'été",
    "Pass Annuel : -20 % jusqu'à dimanche",
    "Nouvelle attraction : la Rivière Enchantée",
    "Fête des mères : une rose offerte à l'entrée",
)
CARE_EXCHANGES = (
    (
        "Bonjour, je n'arrive pas à télécharger mes billets depuis l'application.",
        "Billets renvoyés par e-mail, avec le lien de l'application.",
    ),
    ("Le parc est-il ouvert le 1er novembre ?", "Oui, de 10 h à 19 h ; calendrier joint."),
    ("Peut-on venir avec un chien ?", "Seuls les chiens d'assistance sont admis ; chenil gratuit."),
    (
        "Ma carte de fidélité n'a pas été créditée après ma dernière visite.",
        "Points crédités manuellement, avec nos excuses.",
    ),
    (
        "Le parc a fermé à cause de l'orage : puis-je être remboursé ?",
        "Billets reportés sur la date de votre choix, ou remboursés sous 10 jours.",
    ),
    (
        "Mon fils a oublié sa veste bleue près du Carrousel.",
        "La veste est à l'accueil, au nom de votre fils.",
    ),
    (
        "Existe-t-il un tarif pour les personnes en situation de handicap ?",
        "Tarif réduit et accès prioritaire : détails envoyés par e-mail.",
    ),
    ("Je souhaite changer la date de ma réservation.", "Réservation déplacée, nouveaux billets."),
    (
        "Mon paiement a été refusé mais le montant a été débité.",
        "Débit annulé par la banque sous 72 h ; commande validée.",
    ),
    (
        "Merci pour cette superbe journée, les enfants ont adoré !",
        "Merci à vous, à bientôt au Parc !",
    ),
    (
        "L'attente au Grand Huit dépassait une heure, c'est trop.",
        "Excuses et deux coupe-files offerts pour votre prochaine visite.",
    ),
    ("Comment offrir un Pass Annuel à ma sœur ?", "Lien vers la carte cadeau Pass Annuel."),
)
INTERNAL_NOTES = (
    "Client fidèle : un geste commercial est possible.",
    "Déjà venu vers nous la semaine dernière pour le même sujet.",
    "Voir avec la billetterie (Ventes) avant de répondre.",
    "Client mécontent : à rappeler par un responsable.",
    "Demande transmise à l'Exploitation (objets trouvés).",
)
POSTS = {
    "direction": (
        "Bilan de la saison d'été : fréquentation en hausse de 8 %",
        "Bienvenue aux saisonniers qui nous rejoignent cette semaine !",
        "Merci à toutes les équipes pour le week-end de Halloween.",
    ),
    "marketing": (
        "Lancement de la campagne « Halloween au Parc » lundi",
        "Les nouveaux visuels de la Nocturne d'été sont dans le dossier partagé",
        "Jeu-concours Instagram : 1 200 participations en deux jours",
    ),
    "ventes": (
        "Les ventes du Pass Annuel dépassent l'objectif du trimestre",
        "Nouveau tarif groupes pour les comités d'entreprise",
        "Rappel : la billetterie en ligne passe en tarif haute saison le 1er juillet",
    ),
    "service-client": (
        "Pic de messages sur le téléchargement des billets depuis la mise à jour",
        "Nouveau modèle de réponse pour les remboursements météo",
        "Délai moyen de réponse cette semaine : 3 h 20",
    ),
    "rh": (
        "Charte d'utilisation des réseaux sociaux : merci de la lire et de la signer",
        "Campagne de recrutement des saisonniers ouverte",
        "Formation premiers secours : inscriptions jusqu'à vendredi",
    ),
    "informatique": (
        "Maintenance de la billetterie jeudi de 6 h à 7 h",
        "Nouveaux lecteurs de billets aux portes Nord et Sud",
        "Pensez à activer la double authentification",
    ),
    "exploitation": (
        "Le Grand Huit des Lumières rouvre samedi après révision",
        "Attente moyenne au Carrousel : 25 min à 15 h",
        "Parking P2 complet à 11 h : orienter vers le P3",
    ),
}
COMMENTS = (
    "Merci pour l'info !",
    "Bien noté, je relaie à l'équipe.",
    "On en parle à la réunion de lundi ?",
    "Bravo à tous 👏",
    "Est-ce que ça concerne aussi les week-ends ?",
    "Je m'en occupe.",
)
