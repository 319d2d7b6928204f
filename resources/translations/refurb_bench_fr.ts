<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>BaysMethods</name>
    <message>
        <source>{name} (simulated)</source>
        <translation>{name} (simulé)</translation>
    </message>
    <message>
        <source>not allowed here</source>
        <translation>non autorisée ici</translation>
    </message>
    <message>
        <source>{method} (recommended)</source>
        <translation>{method} (recommandée)</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>inconnu</translation>
    </message>
    <message>
        <source>{drive}: {transport} {model} {serial}</source>
        <translation>{drive} : {transport} {model} {serial}</translation>
    </message>
    <message>
        <source>A supervisor may override this: Ctrl+Shift+E asks for the reason and their badge.</source>
        <translation>Un superviseur peut passer outre : Ctrl+Maj+E demande le motif et son badge.</translation>
    </message>
    <message>
        <source>This refusal cannot be overridden.</source>
        <translation>Ce refus ne peut pas être levé.</translation>
    </message>
    <message>
        <source>{head} — may be erased; asking its firmware what it can do…</source>
        <translation>{head} — peut être effacé ; interrogation de son firmware sur ses capacités…</translation>
    </message>
    <message>
        <source>{head} — recommended: {reason}</source>
        <translation>{head} — recommandé : {reason}</translation>
    </message>
</context>
<context>
    <name>BaysPage</name>
    <message>
        <source>Firmware erasure interrupted — Ctrl+Shift+E erases it again</source>
        <translation>Effacement par le firmware interrompu — Ctrl+Maj+E l&apos;efface à nouveau</translation>
    </message>
    <message>
        <source>Firmware erasure interrupted — put the drive back, then erase it again</source>
        <translation>Effacement par le firmware interrompu — remettez le disque, puis effacez-le à nouveau</translation>
    </message>
    <message>
        <source>Interrupted at {percent} % — F7 resumes</source>
        <translation>Interrompu à {percent} % — F7 reprend</translation>
    </message>
    <message>
        <source>Interrupted at {percent} % — put the drive back, then F7 resumes</source>
        <translation>Interrompu à {percent} % — remettez le disque, puis F7 reprend</translation>
    </message>
    <message>
        <source> (not present)</source>
        <translation> (absent)</translation>
    </message>
    <message>
        <source>Verify all</source>
        <translation>Tout vérifier</translation>
    </message>
    <message>
        <source>Verify a NIST sample (≥ 10 %)</source>
        <translation>Vérifier un échantillon NIST (≥ 10 %)</translation>
    </message>
    <message>
        <source>&amp;Erase selected (Ctrl+Shift+E)</source>
        <translation>&amp;Effacer la sélection (Ctrl+Maj+E)</translation>
    </message>
    <message>
        <source>&amp;Cancel selected (Ctrl+Shift+X)</source>
        <translation>&amp;Annuler la sélection (Ctrl+Maj+X)</translation>
    </message>
    <message>
        <source>Res&amp;ume (F7)</source>
        <translation>Re&amp;prendre (F7)</translation>
    </message>
    <message>
        <source>Rescan (Ctrl+R)</source>
        <translation>Relire les disques (Ctrl+R)</translation>
    </message>
    <message>
        <source>&amp;Method:</source>
        <translation>&amp;Méthode :</translation>
    </message>
    <message>
        <source>Ver&amp;ification:</source>
        <translation>Vér&amp;ification :</translation>
    </message>
    <message>
        <source>{path} is not plugged in: {status}</source>
        <translation>{path} n&apos;est pas branché : {status}</translation>
    </message>
    <message>
        <source>A firmware erase is read back on a NIST sample (≥ 10 %) of the drive</source>
        <translation>Un effacement par le firmware est relu sur un échantillon NIST (≥ 10 %) du disque</translation>
    </message>
    <message>
        <source>How much of the drive is read back after the overwrite</source>
        <translation>Quelle part du disque est relue après l&apos;écrasement</translation>
    </message>
    <message>
        <source>Ready to erase</source>
        <translation>Prêt à effacer</translation>
    </message>
    <message>
        <source>Refused: {why}</source>
        <translation>Refusé : {why}</translation>
    </message>
</context>
<context>
    <name>BaysTab</name>
    <message>
        <source>Simulated drives (--simulate): firmware answers come from the simulator</source>
        <translation>Disques simulés (--simulate) : les réponses du firmware viennent du simulateur</translation>
    </message>
    <message>
        <source>Drives appear as plugged in ({source_name} events)</source>
        <translation>Les disques apparaissent dès leur branchement (événements {source_name})</translation>
    </message>
    <message>
        <source>No hotplug events here: rescanning every few seconds</source>
        <translation>Pas d&apos;événements de branchement ici : relecture toutes les quelques secondes</translation>
    </message>
    <message>
        <source>The drives could not be read: {error}</source>
        <translation>Impossible de lire les disques : {error}</translation>
    </message>
    <message>
        <source>{path}: its firmware could not be asked ({error}) — overwrite remains</source>
        <translation>{path} : impossible d&apos;interroger son firmware ({error}) — l&apos;écrasement reste possible</translation>
    </message>
    <message>
        <source>Erase drive</source>
        <translation>Effacer le disque</translation>
    </message>
    <message>
        <source>Erase {path} ({model} {serial}) in bay {bay} with {label}?

{how}</source>
        <translation>Effacer {path} ({model} {serial}) dans la baie {bay} avec {label} ?

{how}</translation>
    </message>
    <message>
        <source>Drive serial</source>
        <translation>Numéro de série du disque</translation>
    </message>
    <message>
        <source>{path} reports no serial number.
Scan or type the serial from the drive&apos;s label:</source>
        <translation>{path} n&apos;indique aucun numéro de série.
Scannez ou saisissez le numéro de série inscrit sur l&apos;étiquette du disque :</translation>
    </message>
    <message>
        <source>{path} is already being erased</source>
        <translation>{path} est déjà en cours d&apos;effacement</translation>
    </message>
    <message>
        <source>{path} cannot be erased: {why}</source>
        <translation>{path} ne peut pas être effacé : {why}</translation>
    </message>
    <message>
        <source>No serial given: the drive was not erased</source>
        <translation>Aucun numéro de série saisi : le disque n&apos;a pas été effacé</translation>
    </message>
    <message>
        <source>{what} {drive_name} (bay {bay}) with {label}</source>
        <translation>{what} {drive_name} (baie {bay}) avec {label}</translation>
    </message>
    <message>
        <source>{path} has no interrupted erasure to resume — Ctrl+Shift+E erases it</source>
        <translation>{path} n&apos;a aucun effacement interrompu à reprendre — Ctrl+Maj+E l&apos;efface</translation>
    </message>
    <message>
        <source>Put the drive {value} back into {where} first</source>
        <translation>Remettez d&apos;abord le disque {value} dans {where}</translation>
    </message>
    <message>
        <source>{path}: a firmware erasure is not resumed part-way — Ctrl+Shift+E erases it again</source>
        <translation>{path} : un effacement par le firmware ne se reprend pas en cours de route — Ctrl+Maj+E l&apos;efface à nouveau</translation>
    </message>
    <message>
        <source>{path} in bay {bay} was not started: {text}</source>
        <translation>{path} dans la baie {bay} n&apos;a pas été lancé : {text}</translation>
    </message>
    <message>
        <source>A drive is in bay {bay}: log in to start erasing it</source>
        <translation>Un disque est dans la baie {bay} : connectez-vous pour lancer son effacement</translation>
    </message>
    <message>
        <source>{path} (bay {bay}) was pulled during its erasure — it is interrupted, nothing recorded is lost: put it back and press F7 to resume</source>
        <translation>{path} (baie {bay}) a été retiré pendant son effacement — il est interrompu, rien d&apos;enregistré n&apos;est perdu : remettez-le et appuyez sur F7 pour reprendre</translation>
    </message>
</context>
<context>
    <name>BindDialog</name>
    <message>
        <source>Bind a serial port to a rig bay</source>
        <translation>Associer un port série à une baie de banc de test</translation>
    </message>
    <message>
        <source>&amp;Bay</source>
        <translation>&amp;Baie</translation>
    </message>
    <message>
        <source>&amp;Role</source>
        <translation>&amp;Rôle</translation>
    </message>
    <message>
        <source>&amp;Port (by-id)</source>
        <translation>&amp;Port (by-id)</translation>
    </message>
    <message>
        <source>P&amp;rotocol</source>
        <translation>P&amp;rotocole</translation>
    </message>
    <message>
        <source>Give the role and the port</source>
        <translation>Indiquez le rôle et le port</translation>
    </message>
</context>
<context>
    <name>Column</name>
    <message>
        <source>Bay</source>
        <translation>Baie</translation>
    </message>
    <message>
        <source>Drive</source>
        <translation>Disque</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modèle</translation>
    </message>
    <message>
        <source>Serial</source>
        <translation>N° de série</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Capacité</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Statut</translation>
    </message>
    <message>
        <source>Identifier</source>
        <translation>Identifiant</translation>
    </message>
    <message>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Lot</source>
        <translation>Lot</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>Mis à jour</translation>
    </message>
    <message>
        <source>Unit id</source>
        <translation>Id. unité</translation>
    </message>
    <message>
        <source>When (UTC)</source>
        <translation>Quand (UTC)</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Qui</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Quoi</translation>
    </message>
    <message>
        <source>Seq</source>
        <translation>N° séq.</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Provenance</translation>
    </message>
    <message>
        <source>PO</source>
        <translation>Bon de commande</translation>
    </message>
    <message>
        <source>Expected</source>
        <translation>Attendues</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Réceptionnées</translation>
    </message>
    <message>
        <source>Unexpected</source>
        <translation>Imprévues</translation>
    </message>
    <message>
        <source>Outstanding</source>
        <translation>Restantes</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Badge</source>
        <translation>Badge</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rôle</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Téléphone</translation>
    </message>
    <message>
        <source>Locks</source>
        <translation>Verrous</translation>
    </message>
    <message>
        <source>Battery</source>
        <translation>Batterie</translation>
    </message>
    <message>
        <source>IMEI</source>
        <translation>IMEI</translation>
    </message>
    <message>
        <source>OS</source>
        <translation>OS</translation>
    </message>
</context>
<context>
    <name>DailyReportDialog</name>
    <message>
        <source>Daily production report</source>
        <translation>Rapport de production du jour</translation>
    </message>
    <message>
        <source>PDF</source>
        <translation>PDF</translation>
    </message>
    <message>
        <source>CSV (spreadsheet)</source>
        <translation>CSV (tableur)</translation>
    </message>
    <message>
        <source>&amp;Day (UTC)</source>
        <translation>&amp;Jour (UTC)</translation>
    </message>
    <message>
        <source>&amp;Format</source>
        <translation>&amp;Format</translation>
    </message>
</context>
<context>
    <name>DamagedDatabaseDialog</name>
    <message>
        <source>{APP_NAME}: the database is damaged</source>
        <translation>{APP_NAME} : la base de données est endommagée</translation>
    </message>
    <message>
        <source>The bench database is damaged and cannot be opened safely.</source>
        <translation>La base de données du poste est endommagée et ne peut pas être ouverte sans risque.</translation>
    </message>
    <message>
        <source>The newest verified backup is {name}, written {local} ({events} events, the newest from {local_iso}).

Restore it? Work recorded after it and not yet sent to the hub is lost. The damaged file stays in the data folder, renamed, for the investigation, and the bench continues on a new stream so nothing collides at the hub.</source>
        <translation>La sauvegarde vérifiée la plus récente est {name}, écrite le {local} ({events} événements, le plus récent du {local_iso}).

La restaurer ? Le travail enregistré après elle et pas encore envoyé au hub est perdu. Le fichier endommagé reste dans le dossier de données, renommé, pour l&apos;enquête, et le poste continue sur un nouveau flux pour qu&apos;aucun conflit n&apos;apparaisse au hub.</translation>
    </message>
    <message>
        <source>Restore this backup</source>
        <translation>Restaurer cette sauvegarde</translation>
    </message>
    <message>
        <source>No verified backup was found in {parent}.

Quit, then restore a backup from elsewhere with &apos;refurb-bench db restore PATH&apos;, or call a supervisor. Do not delete the damaged file: it is needed for the investigation.</source>
        <translation>Aucune sauvegarde vérifiée n&apos;a été trouvée dans {parent}.

Quittez, puis restaurez une sauvegarde venue d&apos;ailleurs avec « refurb-bench db restore CHEMIN », ou appelez un superviseur. Ne supprimez pas le fichier endommagé : il est nécessaire à l&apos;enquête.</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Quitter</translation>
    </message>
</context>
<context>
    <name>Dashboard</name>
    <message>
        <source>No data: {0}</source>
        <translation>Aucune donnée : {0}</translation>
    </message>
    <message>
        <source>{0} more not shown</source>
        <translation>{0} de plus non affichés</translation>
    </message>
    <message>
        <source>Units per hour</source>
        <translation>Unités par heure</translation>
    </message>
    <message>
        <source>units per hour</source>
        <translation>unités par heure</translation>
    </message>
    <message>
        <source>Median</source>
        <translation>Médiane</translation>
    </message>
    <message>
        <source>90th percentile</source>
        <translation>90e centile</translation>
    </message>
    <message>
        <source>Share of units</source>
        <translation>Part des unités</translation>
    </message>
    <message>
        <source>% of units</source>
        <translation>% des unités</translation>
    </message>
    <message>
        <source>{0} · {1}</source>
        <translation>{0} · {1}</translation>
    </message>
    <message>
        <source>Failures</source>
        <translation>Échecs</translation>
    </message>
    <message>
        <source>failures</source>
        <translation>échecs</translation>
    </message>
    <message>
        <source>No data</source>
        <translation>Aucune donnée</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>Réceptionnées</translation>
    </message>
    <message>
        <source>Tested</source>
        <translation>Testées</translation>
    </message>
    <message>
        <source>Sanitised</source>
        <translation>Effacées</translation>
    </message>
    <message>
        <source>Graded</source>
        <translation>Gradées</translation>
    </message>
    <message>
        <source>Shipped</source>
        <translation>Expédiées</translation>
    </message>
    <message>
        <source>FRP</source>
        <translation>FRP</translation>
    </message>
    <message>
        <source>Activation Lock</source>
        <translation>Verrou d&apos;activation</translation>
    </message>
    <message>
        <source>MDM</source>
        <translation>MDM</translation>
    </message>
    <message>
        <source>Factory Reset Protection: the owner removes the Google account</source>
        <translation>Protection contre la réinitialisation (FRP) : le propriétaire retire le compte Google</translation>
    </message>
    <message>
        <source>Activation Lock: the owner removes the device from their Apple ID</source>
        <translation>Verrouillage d&apos;activation : le propriétaire retire l&apos;appareil de son identifiant Apple</translation>
    </message>
    <message>
        <source>Device management: the owner&apos;s organisation releases the device</source>
        <translation>Gestion des appareils (MDM) : l&apos;organisation du propriétaire libère l&apos;appareil</translation>
    </message>
    <message>
        <source>{0} %</source>
        <translation>{0} %</translation>
    </message>
    <message>
        <source>hours</source>
        <translation>heures</translation>
    </message>
    <message>
        <source>minutes</source>
        <translation>minutes</translation>
    </message>
    <message>
        <source>seconds</source>
        <translation>secondes</translation>
    </message>
    <message>
        <source>{0} min</source>
        <translation>{0} min</translation>
    </message>
    <message>
        <source>{0} h {1} min</source>
        <translation>{0} h {1} min</translation>
    </message>
    <message>
        <source>{0} d {1} h</source>
        <translation>{0} j {1} h</translation>
    </message>
    <message>
        <source>{0} {1} UTC</source>
        <translation>{0} {1} UTC</translation>
    </message>
    <message>
        <source>Identifier</source>
        <translation>Identifiant</translation>
    </message>
    <message>
        <source>Blocker</source>
        <translation>Blocage</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>Ancienneté</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modèle</translation>
    </message>
    <message>
        <source>On hold since {0}</source>
        <translation>En attente depuis {0}</translation>
    </message>
    <message>
        <source>Erasures passed</source>
        <translation>Effacements réussis</translation>
    </message>
    <message>
        <source>Verification failures</source>
        <translation>Échecs de vérification</translation>
    </message>
    <message>
        <source>No erasure finished in this scope</source>
        <translation>Aucun effacement terminé sur cette période</translation>
    </message>
    <message>
        <source>{0} of {1} finished erasures passed; {2} interrupted</source>
        <translation>{0} effacements terminés sur {1} réussis ; {2} interrompus</translation>
    </message>
    <message>
        <source>{0} of {1} finished erasures failed their verification</source>
        <translation>{0} effacements terminés sur {1} ont échoué à la vérification</translation>
    </message>
</context>
<context>
    <name>DashboardPage</name>
    <message>
        <source>Waiting for the figures…</source>
        <translation>En attente des chiffres…</translation>
    </message>
    <message>
        <source>Units per hour, per station</source>
        <translation>Unités par heure, par poste</translation>
    </message>
    <message>
        <source>Units per hour, per operator</source>
        <translation>Unités par heure, par opérateur</translation>
    </message>
    <message>
        <source>Time per stage</source>
        <translation>Temps par étape</translation>
    </message>
    <message>
        <source>Yield by grade</source>
        <translation>Rendement par grade</translation>
    </message>
    <message>
        <source>Yield by route</source>
        <translation>Rendement par orientation</translation>
    </message>
    <message>
        <source>Most failed tests, per model</source>
        <translation>Tests les plus souvent échoués, par modèle</translation>
    </message>
    <message>
        <source>Units on hold</source>
        <translation>Unités en attente</translation>
    </message>
    <message>
        <source>Units on hold ({0})</source>
        <translation>Unités en attente ({0})</translation>
    </message>
    <message>
        <source>As of {0}</source>
        <translation>Au {0}</translation>
    </message>
</context>
<context>
    <name>DashboardTab</name>
    <message>
        <source>No lot on this bench yet</source>
        <translation>Aucun lot sur ce poste pour l&apos;instant</translation>
    </message>
    <message>
        <source>No customer lot on this bench yet</source>
        <translation>Aucun lot client sur ce poste pour l&apos;instant</translation>
    </message>
    <message>
        <source>Computing the figures…</source>
        <translation>Calcul des chiffres…</translation>
    </message>
    <message>
        <source>the dashboard&apos;s figures</source>
        <translation>les chiffres du tableau de bord</translation>
    </message>
    <message>
        <source>Asking the hub for every bench&apos;s figures…</source>
        <translation>Demande au hub des chiffres de tous les postes…</translation>
    </message>
    <message>
        <source>every bench&apos;s figures from the hub</source>
        <translation>les chiffres de tous les postes, depuis le hub</translation>
    </message>
    <message>
        <source>The figures could not be computed</source>
        <translation>Impossible de calculer les chiffres</translation>
    </message>
    <message>
        <source>The dashboard&apos;s figures could not be computed: {0}</source>
        <translation>Impossible de calculer les chiffres du tableau de bord : {0}</translation>
    </message>
    <message>
        <source>Every bench (hub), as of {0}</source>
        <translation>Tous les postes (hub), au {0}</translation>
    </message>
    <message>
        <source>{0}; figures as of {1}</source>
        <translation>{0} ; chiffres au {1}</translation>
    </message>
    <message>
        <source>{0}. {1}.</source>
        <translation>{0}. {1}.</translation>
    </message>
    <message>
        <source>The hub&apos;s figures could not be read: {0}</source>
        <translation>Impossible de lire les chiffres du hub : {0}</translation>
    </message>
</context>
<context>
    <name>EraseController</name>
    <message>
        <source>{path} is already being erased</source>
        <translation>{path} est déjà en cours d&apos;effacement</translation>
    </message>
    <message>
        <source>Wait for it, or cancel it</source>
        <translation>Attendez qu&apos;il se termine, ou annulez-le</translation>
    </message>
    <message>
        <source>{path} is not being erased</source>
        <translation>{path} n&apos;est pas en cours d&apos;effacement</translation>
    </message>
    <message>
        <source>{path} is sanitising itself: a firmware sanitize cannot be cancelled once the drive has accepted it (it carries on even after a power loss) — the bench keeps watching it</source>
        <translation>{path} s&apos;efface lui-même : un effacement par le firmware ne peut plus être annulé une fois accepté par le disque (il continue même après une coupure de courant) — le poste continue de le surveiller</translation>
    </message>
    <message>
        <source>Stopping the erasure of {path}…</source>
        <translation>Arrêt de l&apos;effacement de {path}…</translation>
    </message>
    <message>
        <source>it was cancelled before it began</source>
        <translation>il a été annulé avant de commencer</translation>
    </message>
    <message>
        <source>The erasure stopped: {why}</source>
        <translation>L&apos;effacement s&apos;est arrêté : {why}</translation>
    </message>
    <message>
        <source>Check the drive and its cable</source>
        <translation>Vérifiez le disque et son câble</translation>
    </message>
</context>
<context>
    <name>EraseMethod</name>
    <message>
        <source>Overwrite with zeros</source>
        <translation>Écrasement par des zéros</translation>
    </message>
    <message>
        <source>Overwrite with ones</source>
        <translation>Écrasement par des uns</translation>
    </message>
    <message>
        <source>Overwrite with random data</source>
        <translation>Écrasement par des données aléatoires</translation>
    </message>
    <message>
        <source>ATA SANITIZE crypto scramble</source>
        <translation>ATA SANITIZE, brouillage cryptographique</translation>
    </message>
    <message>
        <source>ATA SANITIZE block erase</source>
        <translation>ATA SANITIZE, effacement par blocs</translation>
    </message>
    <message>
        <source>ATA SANITIZE overwrite</source>
        <translation>ATA SANITIZE, écrasement</translation>
    </message>
    <message>
        <source>ATA Enhanced Security Erase</source>
        <translation>ATA Enhanced Security Erase (effacement sécurisé renforcé)</translation>
    </message>
    <message>
        <source>NVMe Sanitize crypto erase</source>
        <translation>NVMe Sanitize, effacement cryptographique</translation>
    </message>
    <message>
        <source>NVMe Sanitize block erase</source>
        <translation>NVMe Sanitize, effacement par blocs</translation>
    </message>
    <message>
        <source>NVMe Sanitize overwrite</source>
        <translation>NVMe Sanitize, écrasement</translation>
    </message>
    <message>
        <source>NVMe Format, cryptographic erase</source>
        <translation>NVMe Format, effacement cryptographique</translation>
    </message>
    <message>
        <source>NVMe Format, user data erase</source>
        <translation>NVMe Format, effacement des données utilisateur</translation>
    </message>
    <message>
        <source>SCSI SANITIZE cryptographic erase</source>
        <translation>SCSI SANITIZE, effacement cryptographique</translation>
    </message>
    <message>
        <source>SCSI SANITIZE block erase</source>
        <translation>SCSI SANITIZE, effacement par blocs</translation>
    </message>
    <message>
        <source>SCSI SANITIZE overwrite</source>
        <translation>SCSI SANITIZE, écrasement</translation>
    </message>
</context>
<context>
    <name>Event</name>
    <message>
        <source>customer</source>
        <translation>client</translation>
    </message>
    <message>
        <source>supplier</source>
        <translation>fournisseur</translation>
    </message>
    <message>
        <source>serial</source>
        <translation>numéro de série</translation>
    </message>
    <message>
        <source>asset tag</source>
        <translation>étiquette d&apos;inventaire</translation>
    </message>
    <message>
        <source> — certificate {certificate}</source>
        <translation> — certificat {certificate}</translation>
    </message>
    <message>
        <source>charge {value} %</source>
        <translation>charge {value} %</translation>
    </message>
    <message>
        <source>capacity {value} % of design</source>
        <translation>capacité {value} % de la valeur nominale</translation>
    </message>
    <message>
        <source>cycles {value}</source>
        <translation>cycles {value}</translation>
    </message>
    <message>
        <source>Battery: not readable</source>
        <translation>Batterie : illisible</translation>
    </message>
    <message>
        <source>Battery: </source>
        <translation>Batterie : </translation>
    </message>
    <message>
        <source> in bay {bay}</source>
        <translation> dans la baie {bay}</translation>
    </message>
    <message>
        <source> on {port}</source>
        <translation> sur {port}</translation>
    </message>
    <message>
        <source>Phone identified: {identity}</source>
        <translation>Téléphone identifié : {identity}</translation>
    </message>
    <message>
        <source>Routed to {route}</source>
        <translation>Orientée vers {route}</translation>
    </message>
    <message>
        <source> on {channel} grade {grade}</source>
        <translation> sur {channel} au grade {grade}</translation>
    </message>
    <message>
        <source> ({currency} {value})</source>
        <translation> ({value} {currency})</translation>
    </message>
    <message>
        <source>; resale blocked: {blockers}</source>
        <translation> ; revente bloquée : {blockers}</translation>
    </message>
    <message>
        <source>Station set up (Refurb Bench {version})</source>
        <translation>Poste installé (Refurb Bench {version})</translation>
    </message>
    <message>
        <source>Operator {name} added as {role} (badge {badge})</source>
        <translation>Opérateur {name} ajouté comme {role} (badge {badge})</translation>
    </message>
    <message>
        <source>Logged in by {method}</source>
        <translation>Connexion par {method}</translation>
    </message>
    <message>
        <source>Logged out</source>
        <translation>Déconnexion</translation>
    </message>
    <message>
        <source> ({reason})</source>
        <translation> ({reason})</translation>
    </message>
    <message>
        <source>Unit created from {source}: {identifiers}</source>
        <translation>Unité créée depuis {source} : {identifiers}</translation>
    </message>
    <message>
        <source>, GTIN {gtin}</source>
        <translation>, GTIN {gtin}</translation>
    </message>
    <message>
        <source>, model {model}</source>
        <translation>, modèle {model}</translation>
    </message>
    <message>
        <source>Identifier added: {kind} {value}</source>
        <translation>Identifiant ajouté : {kind} {value}</translation>
    </message>
    <message>
        <source>State {before} → {after}</source>
        <translation>État {before} → {after}</translation>
    </message>
    <message>
        <source>: {reason}</source>
        <translation> : {reason}</translation>
    </message>
    <message>
        <source>Lot {code} created for {party_kind} {party}</source>
        <translation>Lot {code} créé pour le {party_kind} {party}</translation>
    </message>
    <message>
        <source>, PO {po}</source>
        <translation>, bon de commande {po}</translation>
    </message>
    <message>
        <source>, {count} expected</source>
        <translation>, {count} attendues</translation>
    </message>
    <message>
        <source>Manifest {file} imported ({count} units)</source>
        <translation>Manifeste {file} importé ({count} unités)</translation>
    </message>
    <message>
        <source>Erasure started: {pattern} overwrite of {path}, {verification} verification</source>
        <translation>Effacement démarré : écrasement {pattern} de {path}, vérification {verification}</translation>
    </message>
    <message>
        <source> (resumed)</source>
        <translation> (repris)</translation>
    </message>
    <message>
        <source>Erasure checkpoint at {megabytes} MB</source>
        <translation>Point de reprise de l&apos;effacement à {megabytes} Mo</translation>
    </message>
    <message>
        <source>Erasure {outcome}: {summary}</source>
        <translation>Effacement {outcome} : {summary}</translation>
    </message>
    <message>
        <source>Bay {bay} assigned to port {port}</source>
        <translation>Baie {bay} attribuée au port {port}</translation>
    </message>
    <message>
        <source>Bay {bay} cleared</source>
        <translation>Baie {bay} libérée</translation>
    </message>
    <message>
        <source>Received into lot {lot}</source>
        <translation>Réceptionnée dans le lot {lot}</translation>
    </message>
    <message>
        <source>Received into lot</source>
        <translation>Réceptionnée dans un lot</translation>
    </message>
    <message>
        <source> — not on its manifest</source>
        <translation> — absente de son manifeste</translation>
    </message>
    <message>
        <source>Rig bay {bay}: {role} is {port}</source>
        <translation>Baie de test {bay} : {role} sur {port}</translation>
    </message>
    <message>
        <source> ({identity})</source>
        <translation> ({identity})</translation>
    </message>
    <message>
        <source>Rig bay {bay}: {role} unbound</source>
        <translation>Baie de test {bay} : {role} détaché</translation>
    </message>
    <message>
        <source>Test plan {plan} v{version} started</source>
        <translation>Plan de test {plan} v{version} démarré</translation>
    </message>
    <message>
        <source> in rig bay {bay}</source>
        <translation> dans la baie de test {bay}</translation>
    </message>
    <message>
        <source>Cleanup {number} {name}: {verdict} — {message}</source>
        <translation>Remise en état {number} {name} : {verdict} — {message}</translation>
    </message>
    <message>
        <source>Step {number} {name}: {verdict} — {message}</source>
        <translation>Étape {number} {name} : {verdict} — {message}</translation>
    </message>
    <message>
        <source>Test plan {plan} v{version}: {verdict} — {summary}</source>
        <translation>Plan de test {plan} v{version} : {verdict} — {summary}</translation>
    </message>
    <message>
        <source>Blockers checked: held for {holds}</source>
        <translation>Blocages vérifiés : en attente pour {holds}</translation>
    </message>
    <message>
        <source>Blockers checked: none found</source>
        <translation>Blocages vérifiés : aucun trouvé</translation>
    </message>
    <message>
        <source>Phone test plan {plan} v{version} started</source>
        <translation>Plan de test du téléphone {plan} v{version} démarré</translation>
    </message>
    <message>
        <source>Automatic check {step}: {outcome} — {evidence}</source>
        <translation>Contrôle automatique {step} : {outcome} — {evidence}</translation>
    </message>
    <message>
        <source>Guided check {step}: {outcome} — {evidence}</source>
        <translation>Contrôle guidé {step} : {outcome} — {evidence}</translation>
    </message>
    <message>
        <source>{kind} check {step}: {outcome} — {evidence}</source>
        <translation>Contrôle {kind} {step} : {outcome} — {evidence}</translation>
    </message>
    <message>
        <source>Phone test plan {plan} {verdict}</source>
        <translation>Plan de test du téléphone {plan} : {verdict}</translation>
    </message>
    <message>
        <source>Phone unplugged from {port} while {during}</source>
        <translation>Téléphone débranché de {port} pendant : {during}</translation>
    </message>
    <message>
        <source>Phone factory reset {outcome}: {summary}</source>
        <translation>Réinitialisation d&apos;usine du téléphone {outcome} : {summary}</translation>
    </message>
    <message>
        <source>Graded {summary} ({ruleset} v{version})</source>
        <translation>Gradée {summary} ({ruleset} v{version})</translation>
    </message>
    <message>
        <source>, {count} photos</source>
        <translation>, {count} photos</translation>
    </message>
    <message>
        <source>Grade overridden on {scale}: {before} → {after} ({reason})</source>
        <translation>Grade corrigé sur {scale} : {before} → {after} ({reason})</translation>
    </message>
    <message>
        <source>Route overridden: {before} → {after} ({reason})</source>
        <translation>Orientation corrigée : {before} → {after} ({reason})</translation>
    </message>
    <message>
        <source>Reprinted {kind} label on {printer}</source>
        <translation>Étiquette {kind} réimprimée sur {printer}</translation>
    </message>
    <message>
        <source>Printed {kind} label on {printer}</source>
        <translation>Étiquette {kind} imprimée sur {printer}</translation>
    </message>
    <message>
        <source>Box {box} opened for {route} by {ship_mode}</source>
        <translation>Carton {box} ouvert pour {route}, envoi {ship_mode}</translation>
    </message>
    <message>
        <source>Packed in box {box} (line {line})</source>
        <translation>Emballée dans le carton {box} (ligne {line})</translation>
    </message>
    <message>
        <source>Taken out of box {box}: {reason}</source>
        <translation>Retirée du carton {box} : {reason}</translation>
    </message>
    <message>
        <source>Box {box} closed with {count} units</source>
        <translation>Carton {box} fermé avec {count} unités</translation>
    </message>
    <message>
        <source>, marked {un_number}</source>
        <translation>, marqué {un_number}</translation>
    </message>
</context>
<context>
    <name>GradePage</name>
    <message>
        <source>Zone: L light scratch · D deep · U scuff · N dent · C crack · H chip · O discoloured · B burn-in · M missing · Backspace: take the last back · digits Enter: scratch length mm · Enter: zone done     Questions: Y/N · P/F · T all tests pass · digits Enter     When complete, Enter: record and print · R: reprint · Ctrl+I: photos · Ctrl+O: override (supervisor)</source>
        <translation>Zone : L rayure légère · D profonde · U éraflure · N bosse · C fissure · H éclat · O décoloration · B marquage d&apos;écran · M manquant · Retour arrière : annule le dernier · chiffres Entrée : longueur de rayure en mm · Entrée : zone terminée     Questions : Y/N · P/F · T tous les tests réussis · chiffres Entrée     Une fois complet, Entrée : enregistrer et imprimer · R : réimprimer · Ctrl+I : photos · Ctrl+O : dérogation (superviseur)</translation>
    </message>
    <message>
        <source>Scan a unit to grade it</source>
        <translation>Scannez une unité pour la grader</translation>
    </message>
    <message>
        <source>Inspection</source>
        <translation>Inspection</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>Réponse</translation>
    </message>
</context>
<context>
    <name>GradeTab</name>
    <message>
        <source>Grading now uses {key} and the {id} prices v{version}</source>
        <translation>Le grading utilise désormais {key} et les prix {id} v{version}</translation>
    </message>
    <message>
        <source>{section} from {where}</source>
        <translation>{section} d&apos;après {where}</translation>
    </message>
    <message>
        <source>From the records: {facts}</source>
        <translation>D&apos;après les enregistrements : {facts}</translation>
    </message>
    <message>
        <source>nothing yet — answer every question</source>
        <translation>rien pour l&apos;instant — répondez à chaque question</translation>
    </message>
    <message>
        <source>{label} is already {state} — R reprints its label</source>
        <translation>{label} est déjà à l&apos;état {state} — R réimprime son étiquette</translation>
    </message>
    <message>
        <source>Inspecting {label}: zone by zone, Enter when a zone is done</source>
        <translation>Inspection de {label} : zone par zone, Entrée quand une zone est terminée</translation>
    </message>
    <message>
        <source>This unit is graded: R reprints its label, or scan the next unit</source>
        <translation>Cette unité est gradée : R réimprime son étiquette, ou scannez l&apos;unité suivante</translation>
    </message>
    <message>
        <source>Nothing to reprint yet: the unit is not graded</source>
        <translation>Rien à réimprimer pour l&apos;instant : l&apos;unité n&apos;est pas gradée</translation>
    </message>
    <message>
        <source>Still to answer: </source>
        <translation>Reste à répondre : </translation>
    </message>
    <message>
        <source>A length belongs to a scratch: press L or D first, then its total length</source>
        <translation>Une longueur se rapporte à une rayure : appuyez d&apos;abord sur L ou D, puis sur sa longueur totale</translation>
    </message>
    <message>
        <source>Grade {summary} → {replace}: Enter records it and prints the label</source>
        <translation>Grade {summary} → {replace} : Entrée l&apos;enregistre et imprime l&apos;étiquette</translation>
    </message>
    <message>
        <source>Graded {summary}, routed to {replace} — printing the label</source>
        <translation>Gradé {summary}, orienté vers {replace} — impression de l&apos;étiquette</translation>
    </message>
    <message>
        <source>Graded {summary} — R prints the label</source>
        <translation>Gradé {summary} — R imprime l&apos;étiquette</translation>
    </message>
    <message>
        <source>Reprinting the label of {label}</source>
        <translation>Réimpression de l&apos;étiquette de {label}</translation>
    </message>
    <message>
        <source>  — label printed</source>
        <translation>  — étiquette imprimée</translation>
    </message>
    <message>
        <source>Camera folder</source>
        <translation>Dossier de l&apos;appareil photo</translation>
    </message>
    <message>
        <source>{count} photos attached to the grade (kept by their SHA-256)</source>
        <translation>{count} photos jointes au grade (conservées par leur SHA-256)</translation>
    </message>
    <message>
        <source>Only a supervisor can override a grade or a route — ask one to log in</source>
        <translation>Seul un superviseur peut modifier un grade ou une orientation — demandez-lui de se connecter</translation>
    </message>
    <message>
        <source>Override</source>
        <translation>Dérogation</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Modifier</translation>
    </message>
    <message>
        <source>Why {choice}?</source>
        <translation>Pourquoi {choice} ?</translation>
    </message>
    <message>
        <source>Overridden: {choice} ({reason})</source>
        <translation>Dérogation : {choice} ({reason})</translation>
    </message>
</context>
<context>
    <name>HubEnrolRow</name>
    <message>
        <source>hub address, e.g. http://hub.local:8470</source>
        <translation>adresse du hub, p. ex. http://hub.local:8470</translation>
    </message>
    <message>
        <source>one-time code from the hub&apos;s admin</source>
        <translation>code à usage unique donné par l&apos;administrateur du hub</translation>
    </message>
    <message>
        <source>Enroll wit&amp;h hub</source>
        <translation>Inscrire auprès du &amp;hub</translation>
    </message>
    <message>
        <source>Not enrolled: everything stays on this bench</source>
        <translation>Non inscrit : tout reste sur ce poste</translation>
    </message>
    <message>
        <source>Enrolled as “{bench_name}” with {hub_url}</source>
        <translation>Inscrit sous le nom « {bench_name} » auprès de {hub_url}</translation>
    </message>
    <message>
        <source>Enroll again only if the hub&apos;s admin asks</source>
        <translation>Ne réinscrivez le poste que si l&apos;administrateur du hub le demande</translation>
    </message>
    <message>
        <source>Type the hub&apos;s address and the one-time code its admin gave you</source>
        <translation>Saisissez l&apos;adresse du hub et le code à usage unique donné par son administrateur</translation>
    </message>
    <message>
        <source>Enrolling with {url}…</source>
        <translation>Inscription auprès de {url}…</translation>
    </message>
    <message>
        <source>The enrolment failed with an error — see the log</source>
        <translation>L&apos;inscription a échoué sur une erreur — voir le journal</translation>
    </message>
</context>
<context>
    <name>IntakeService</name>
    <message>
        <source>New unit {label}</source>
        <translation>Nouvelle unité {label}</translation>
    </message>
    <message>
        <source>Opened {label}</source>
        <translation>Ouverture de {label}</translation>
    </message>
    <message>
        <source>New unit {label}, received into {lot}</source>
        <translation>Nouvelle unité {label}, réceptionnée dans {lot}</translation>
    </message>
    <message>
        <source>Opened {label}, received into {lot}</source>
        <translation>Ouverture de {label}, réceptionnée dans {lot}</translation>
    </message>
    <message>
        <source>New unit {label}, received into {lot} (not on its manifest)</source>
        <translation>Nouvelle unité {label}, réceptionnée dans {lot} (absente de son manifeste)</translation>
    </message>
    <message>
        <source>Opened {label}, received into {lot} (not on its manifest)</source>
        <translation>Ouverture de {label}, réceptionnée dans {lot} (absente de son manifeste)</translation>
    </message>
    <message>
        <source>{name} logged in</source>
        <translation>Connexion de {name}</translation>
    </message>
    <message>
        <source>Receiving into lot {code}</source>
        <translation>Réception dans le lot {code}</translation>
    </message>
</context>
<context>
    <name>LabelPreview</name>
    <message>
        <source>No label yet</source>
        <translation>Pas encore d&apos;étiquette</translation>
    </message>
</context>
<context>
    <name>LabelPrinter</name>
    <message>
        <source>The {description} could not be made: {error}</source>
        <translation>Impossible de produire {description} : {error}</translation>
    </message>
</context>
<context>
    <name>LabelSettingsRow</name>
    <message>
        <source>tcp://HOST:9100, file:///dev/usb/lp0, cups://QUEUE — empty: PDF files</source>
        <translation>tcp://HÔTE:9100, file:///dev/usb/lp0, cups://FILE — vide : fichiers PDF</translation>
    </message>
    <message>
        <source>{dpi} dpi</source>
        <translation>{dpi} ppp</translation>
    </message>
    <message>
        <source>phone on the lithium mark</source>
        <translation>téléphone sur la marque lithium</translation>
    </message>
    <message>
        <source>Tel</source>
        <translation>Tél.</translation>
    </message>
</context>
<context>
    <name>LoginPage</name>
    <message>
        <source>Scan your operator badge</source>
        <translation>Scannez votre badge d&apos;opérateur</translation>
    </message>
    <message>
        <source>…or type your name and PIN, then press Enter</source>
        <translation>…ou saisissez votre nom et votre code PIN, puis appuyez sur Entrée</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>Code PIN</translation>
    </message>
    <message>
        <source>&amp;Log in</source>
        <translation>Se &amp;connecter</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>&amp;Nom</translation>
    </message>
    <message>
        <source>&amp;PIN</source>
        <translation>Code &amp;PIN</translation>
    </message>
    <message>
        <source>Type your name first</source>
        <translation>Saisissez d&apos;abord votre nom</translation>
    </message>
</context>
<context>
    <name>LotsPage</name>
    <message>
        <source>&amp;New lot (Ctrl+N)</source>
        <translation>&amp;Nouveau lot (Ctrl+N)</translation>
    </message>
    <message>
        <source>&amp;Import manifest (Ctrl+I)</source>
        <translation>&amp;Importer un manifeste (Ctrl+I)</translation>
    </message>
    <message>
        <source>&amp;Receive into lot (Enter)</source>
        <translation>&amp;Réceptionner dans le lot (Entrée)</translation>
    </message>
    <message>
        <source>E&amp;xport report… (Ctrl+Shift+S)</source>
        <translation>E&amp;xporter le rapport… (Ctrl+Maj+S)</translation>
    </message>
    <message>
        <source>The selected lot&apos;s report for its customer: every unit, its erasure and outcome, totals and sustainability (PDF, CSV or JSON)</source>
        <translation>Le rapport du lot sélectionné pour son client : chaque unité, son effacement et son issue, les totaux et l&apos;impact environnemental (PDF, CSV ou JSON)</translation>
    </message>
    <message>
        <source>Select a lot</source>
        <translation>Sélectionnez un lot</translation>
    </message>
    <message>
        <source>Expected but not yet received</source>
        <translation>Attendues mais pas encore réceptionnées</translation>
    </message>
    <message>
        <source>No lots yet — press Ctrl+N to create one</source>
        <translation>Aucun lot pour l&apos;instant — Ctrl+N en crée un</translation>
    </message>
    <message>
        <source>{code}: expected {expected}, received {received} ({received_expected} on the manifest, {unexpected} unexpected), outstanding {outstanding}</source>
        <translation>{code} : {expected} attendues, {received} réceptionnées ({received_expected} au manifeste, {unexpected} imprévues), {outstanding} restantes</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>{app} — {station}</source>
        <translation>{app} — {station}</translation>
    </message>
    <message>
        <source>Ready — scan a badge to log in</source>
        <translation>Prêt — scannez un badge pour vous connecter</translation>
    </message>
    <message>
        <source>Type an identifier when the label will not scan, then Enter (Ctrl+E)</source>
        <translation>Saisissez un identifiant quand l&apos;étiquette ne se scanne pas, puis Entrée (Ctrl+E)</translation>
    </message>
    <message>
        <source>&amp;Unit  F2</source>
        <translation>&amp;Unité  F2</translation>
    </message>
    <message>
        <source>&amp;Search  F3</source>
        <translation>&amp;Recherche  F3</translation>
    </message>
    <message>
        <source>&amp;Lots  F4</source>
        <translation>&amp;Lots  F4</translation>
    </message>
    <message>
        <source>Identifier</source>
        <translation>Identifiant</translation>
    </message>
    <message>
        <source>Not logged in</source>
        <translation>Non connecté</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <source>&amp;Back up database…</source>
        <translation>&amp;Sauvegarder la base de données…</translation>
    </message>
    <message>
        <source>Export &amp;daily production report…</source>
        <translation>Exporter le rapport de pro&amp;duction du jour…</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Paramètres…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Affichage</translation>
    </message>
    <message>
        <source>&amp;Unit</source>
        <translation>&amp;Unité</translation>
    </message>
    <message>
        <source>&amp;Search</source>
        <translation>&amp;Recherche</translation>
    </message>
    <message>
        <source>&amp;Lots</source>
        <translation>&amp;Lots</translation>
    </message>
    <message>
        <source>&amp;Type an identifier</source>
        <translation>&amp;Saisir un identifiant</translation>
    </message>
    <message>
        <source>&amp;New lot…</source>
        <translation>&amp;Nouveau lot…</translation>
    </message>
    <message>
        <source>&amp;Import manifest…</source>
        <translation>&amp;Importer un manifeste…</translation>
    </message>
    <message>
        <source>&amp;Stop receiving into a lot</source>
        <translation>&amp;Arrêter la réception dans un lot</translation>
    </message>
    <message>
        <source>E&amp;xport the selected lot&apos;s report…</source>
        <translation>E&amp;xporter le rapport du lot sélectionné…</translation>
    </message>
    <message>
        <source>&amp;Operator</source>
        <translation>&amp;Opérateur</translation>
    </message>
    <message>
        <source>&amp;Operators…</source>
        <translation>&amp;Opérateurs…</translation>
    </message>
    <message>
        <source>&amp;Log out</source>
        <translation>Se &amp;déconnecter</translation>
    </message>
    <message>
        <source>Operator: {name} ({role})</source>
        <translation>Opérateur : {name} ({role})</translation>
    </message>
    <message>
        <source>Receiving into {code}</source>
        <translation>Réception dans {code}</translation>
    </message>
    <message>
        <source>Unit {unit_id} not found</source>
        <translation>Unité {unit_id} introuvable</translation>
    </message>
    <message>
        <source>A dialog is open: the scan was not used — finish or close the dialog first</source>
        <translation>Une boîte de dialogue est ouverte : le scan n&apos;a pas été pris en compte — terminez ou fermez d&apos;abord la boîte de dialogue</translation>
    </message>
    <message>
        <source>{name} logged in</source>
        <translation>Connexion de {name}</translation>
    </message>
    <message>
        <source>Logged out — scan a badge to log in</source>
        <translation>Déconnecté — scannez un badge pour vous connecter</translation>
    </message>
    <message>
        <source>Lot {code} created</source>
        <translation>Lot {code} créé</translation>
    </message>
    <message>
        <source>Select a lot first (F4)</source>
        <translation>Sélectionnez d&apos;abord un lot (F4)</translation>
    </message>
    <message>
        <source>Manifest for {code}</source>
        <translation>Manifeste pour {code}</translation>
    </message>
    <message>
        <source>CSV files (*.csv *.txt);;All files (*)</source>
        <translation>Fichiers CSV (*.csv *.txt);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>Importing manifest {name} into {code}…</source>
        <translation>Import du manifeste {name} dans {code}…</translation>
    </message>
    <message>
        <source>Receiving into lot {code} — scan its units</source>
        <translation>Réception dans le lot {code} — scannez ses unités</translation>
    </message>
    <message>
        <source>No longer receiving into a lot</source>
        <translation>Plus de réception dans un lot</translation>
    </message>
</context>
<context>
    <name>ManifestImporter</name>
    <message>
        <source>The manifest import into {code} was cancelled; nothing was stored</source>
        <translation>L&apos;import du manifeste dans {code} a été annulé ; rien n&apos;a été enregistré</translation>
    </message>
    <message>
        <source>Imported {count} manifest lines into {code}</source>
        <translation>{count} lignes de manifeste importées dans {code}</translation>
    </message>
</context>
<context>
    <name>MethodCombo</name>
    <message>
        <source>{label} — blocked: {why}</source>
        <translation>{label} — bloqué : {why}</translation>
    </message>
    <message>
        <source>No method can run on this drive (see below)</source>
        <translation>Aucune méthode ne peut s&apos;appliquer à ce disque (voir ci-dessous)</translation>
    </message>
    <message>
        <source>Asking the drive&apos;s firmware what it can do…</source>
        <translation>Interrogation du firmware du disque sur ses capacités…</translation>
    </message>
</context>
<context>
    <name>NewLotDialog</name>
    <message>
        <source>New lot</source>
        <translation>Nouveau lot</translation>
    </message>
    <message>
        <source>LOT-2026-0042 (scan or type)</source>
        <translation>LOT-2026-0042 (scannez ou saisissez)</translation>
    </message>
    <message>
        <source>Customer (ITAD)</source>
        <translation>Client (ITAD)</translation>
    </message>
    <message>
        <source>Supplier (purchase)</source>
        <translation>Fournisseur (achat)</translation>
    </message>
    <message>
        <source>Lot &amp;code</source>
        <translation>&amp;Code du lot</translation>
    </message>
    <message>
        <source>&amp;From</source>
        <translation>&amp;Provenance</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>&amp;Nom</translation>
    </message>
    <message>
        <source>&amp;PO</source>
        <translation>&amp;Bon de commande</translation>
    </message>
    <message>
        <source>&amp;Expected units</source>
        <translation>Unités &amp;attendues</translation>
    </message>
</context>
<context>
    <name>OperatorError</name>
    <message>
        <source>Scan the barcode again; if this keeps happening, check the scanner is set to send data</source>
        <translation>Scannez à nouveau le code-barres ; si cela se reproduit, vérifiez que le scanner est réglé pour envoyer les données</translation>
    </message>
    <message>
        <source>This does not look like an IMEI, serial, asset tag, lot or badge — check the barcode or the scanner&apos;s settings</source>
        <translation>Cela ne ressemble ni à un IMEI, ni à un numéro de série, d&apos;inventaire, de lot ou de badge — vérifiez le code-barres ou les réglages du scanner</translation>
    </message>
    <message>
        <source>Rescan the label or type the IMEI from *#06# — one digit is probably misread</source>
        <translation>Scannez à nouveau l&apos;étiquette ou saisissez l&apos;IMEI obtenu par *#06# — un chiffre est probablement mal lu</translation>
    </message>
    <message>
        <source>Rescan the barcode; one digit is probably misread. If it keeps failing, the label is bad</source>
        <translation>Scannez à nouveau le code-barres ; un chiffre est probablement mal lu. Si l&apos;échec persiste, l&apos;étiquette est défectueuse</translation>
    </message>
    <message>
        <source>Rescan the barcode; if it keeps failing, check the scanner sends the GS separator (FNC1)</source>
        <translation>Scannez à nouveau le code-barres ; si l&apos;échec persiste, vérifiez que le scanner envoie le séparateur GS (FNC1)</translation>
    </message>
    <message>
        <source>Scan another barcode on the label (GTIN, serial or lot) or type the identifier by hand</source>
        <translation>Scannez un autre code-barres de l&apos;étiquette (GTIN, numéro de série ou lot) ou saisissez l&apos;identifiant à la main</translation>
    </message>
    <message>
        <source>Type it as (01)09501101530003(21)SERIAL — each AI in brackets, then its value</source>
        <translation>Saisissez-le sous la forme (01)09501101530003(21)SERIE — chaque AI entre parenthèses, puis sa valeur</translation>
    </message>
    <message>
        <source>After the prefix only letters, digits, &apos;-&apos; and &apos;_&apos; are allowed (up to 32) — rescan or retype it</source>
        <translation>Après le préfixe, seuls les lettres, chiffres, « - » et « _ » sont admis (32 au plus) — scannez ou saisissez-le à nouveau</translation>
    </message>
    <message>
        <source>{label} is empty</source>
        <translation>{label} est vide</translation>
    </message>
    <message>
        <source>{label} should have {fixed} digits, not {count}: {shown}</source>
        <translation>{label} doit comporter {fixed} chiffres, et non {count} : {shown}</translation>
    </message>
    <message>
        <source>{label} is {count} characters long; at most {max_length} are allowed</source>
        <translation>{label} compte {count} caractères ; {max_length} au plus sont admis</translation>
    </message>
    <message>
        <source>{label} contains a character GS1 does not allow: {shown}</source>
        <translation>{label} contient un caractère que GS1 n&apos;admet pas : {shown}</translation>
    </message>
    <message>
        <source>{label} must be digits only, got {shown}</source>
        <translation>{label} ne doit comporter que des chiffres, reçu {shown}</translation>
    </message>
    <message>
        <source>{name} {value} fails its check digit: last digit should be {expected}, not {value2}</source>
        <translation>{name} {value} a une clé de contrôle fausse : le dernier chiffre devrait être {expected}, et non {value2}</translation>
    </message>
    <message>
        <source>{label} {value} is not a date: there is no month {value2}</source>
        <translation>{label} {value} n&apos;est pas une date : il n&apos;y a pas de mois {value2}</translation>
    </message>
    <message>
        <source>{label} {value} is not a date: month {value2} has no day {value3}</source>
        <translation>{label} {value} n&apos;est pas une date : le mois {value2} n&apos;a pas de jour {value3}</translation>
    </message>
    <message>
        <source>Unknown GS1 application identifier (AI {ai}) in this barcode</source>
        <translation>Identifiant d&apos;application GS1 inconnu (AI {ai}) dans ce code-barres</translation>
    </message>
    <message>
        <source>GS1 barcode has {shown} where an application identifier (AI) should be</source>
        <translation>Le code-barres GS1 contient {shown} là où devrait figurer un identifiant d&apos;application (AI)</translation>
    </message>
    <message>
        <source>GS1 text in brackets is malformed near {shown}</source>
        <translation>Le texte GS1 entre parenthèses est mal formé près de {shown}</translation>
    </message>
    <message>
        <source>GS1 barcode contains no data</source>
        <translation>Le code-barres GS1 ne contient aucune donnée</translation>
    </message>
    <message>
        <source>GS1 {title} (AI {ai}) appears twice in one barcode</source>
        <translation>GS1 {title} (AI {ai}) figure deux fois dans le même code-barres</translation>
    </message>
    <message>
        <source>GTIN {text} fails its check digit: last digit should be {expected}, not {text2}</source>
        <translation>Le GTIN {text} a une clé de contrôle fausse : le dernier chiffre devrait être {expected}, et non {text2}</translation>
    </message>
    <message>
        <source>{name} {shown} {reason}</source>
        <translation>{name} {shown} : {reason}</translation>
    </message>
    <message>
        <source>IMEI {text} fails its check digit: last digit should be {expected}, not {text2}</source>
        <translation>L&apos;IMEI {text} a une clé de contrôle fausse : le dernier chiffre devrait être {expected}, et non {text2}</translation>
    </message>
    <message>
        <source>{text} has 16 digits and looks like an IMEISV (IMEI + software version), not an IMEI</source>
        <translation>{text} a 16 chiffres et ressemble à un IMEISV (IMEI + version logicielle), pas à un IMEI</translation>
    </message>
    <message>
        <source>Scan the 15-digit IMEI instead; it is usually printed next to the IMEISV</source>
        <translation>Scannez plutôt l&apos;IMEI à 15 chiffres ; il est généralement imprimé à côté de l&apos;IMEISV</translation>
    </message>
    <message>
        <source>Empty scan</source>
        <translation>Scan vide</translation>
    </message>
    <message>
        <source>The scanner sent its symbology code {symbology} but no data</source>
        <translation>Le scanner a envoyé son code de symbologie {symbology} mais aucune donnée</translation>
    </message>
    <message>
        <source>Unit {unit_id} cannot go from {current} to {target}</source>
        <translation>L&apos;unité {unit_id} ne peut pas passer de {current} à {target}</translation>
    </message>
    <message>
        <source>From {current} the next state can be: {allowed}</source>
        <translation>Depuis {current}, l&apos;état suivant peut être : {allowed}</translation>
    </message>
    <message>
        <source>asset tag {raw!r} has characters an asset tag cannot have</source>
        <translation>le numéro d&apos;inventaire {raw!r} contient des caractères interdits dans un numéro d&apos;inventaire</translation>
    </message>
    <message>
        <source>{raw!r} in the IMEI column is not a 15-digit IMEI</source>
        <translation>{raw!r} dans la colonne IMEI n&apos;est pas un IMEI à 15 chiffres</translation>
    </message>
    <message>
        <source>A PIN is 4 to 12 digits</source>
        <translation>Un code PIN compte 4 à 12 chiffres</translation>
    </message>
    <message>
        <source>Choose a PIN of digits only, at least 4 long</source>
        <translation>Choisissez un code PIN composé uniquement de chiffres, d&apos;au moins 4 chiffres</translation>
    </message>
    <message>
        <source>Cannot read {name}: {strerror}</source>
        <translation>Impossible de lire {name} : {strerror}</translation>
    </message>
    <message>
        <source>Check the file and try again</source>
        <translation>Vérifiez le fichier et réessayez</translation>
    </message>
    <message>
        <source>Only an admin can add operators</source>
        <translation>Seul un administrateur peut ajouter des opérateurs</translation>
    </message>
    <message>
        <source>Ask an admin to log in and add you</source>
        <translation>Demandez à un administrateur de se connecter et de vous ajouter</translation>
    </message>
    <message>
        <source>The first operator of a station must be an admin</source>
        <translation>Le premier opérateur d&apos;un poste doit être administrateur</translation>
    </message>
    <message>
        <source>Add yourself with the admin role first (--role admin)</source>
        <translation>Ajoutez-vous d&apos;abord avec le rôle administrateur (--role admin)</translation>
    </message>
    <message>
        <source>The operator needs a name</source>
        <translation>L&apos;opérateur doit avoir un nom</translation>
    </message>
    <message>
        <source>Type the person&apos;s name</source>
        <translation>Saisissez le nom de la personne</translation>
    </message>
    <message>
        <source>{badge!r} is not an operator badge code</source>
        <translation>{badge!r} n&apos;est pas un code de badge d&apos;opérateur</translation>
    </message>
    <message>
        <source>Badge codes start with {badge_prefix}, e.g. {badge_prefix}0042</source>
        <translation>Les codes de badge commencent par {badge_prefix}, p. ex. {badge_prefix}0042</translation>
    </message>
    <message>
        <source>Badge {value} is already in use</source>
        <translation>Le badge {value} est déjà attribué</translation>
    </message>
    <message>
        <source>Print the person a new badge</source>
        <translation>Imprimez un nouveau badge pour cette personne</translation>
    </message>
    <message>
        <source>An operator named {name} exists</source>
        <translation>Un opérateur nommé {name} existe déjà</translation>
    </message>
    <message>
        <source>Add a surname or initial to tell them apart</source>
        <translation>Ajoutez un nom de famille ou une initiale pour les distinguer</translation>
    </message>
    <message>
        <source>Badge {text} is not registered on this bench</source>
        <translation>Le badge {text} n&apos;est pas enregistré sur ce poste</translation>
    </message>
    <message>
        <source>Ask a supervisor to add you, or log in with your name and PIN</source>
        <translation>Demandez à un superviseur de vous ajouter, ou connectez-vous avec votre nom et votre code PIN</translation>
    </message>
    <message>
        <source>Name or PIN not recognised</source>
        <translation>Nom ou code PIN non reconnu</translation>
    </message>
    <message>
        <source>Check both and try again, or scan your badge</source>
        <translation>Vérifiez les deux et réessayez, ou scannez votre badge</translation>
    </message>
    <message>
        <source>This needs a {role}; {name} is a {role2}</source>
        <translation>Il faut un {role} ; {name} est {role2}</translation>
    </message>
    <message>
        <source>Ask a {role} to scan their badge</source>
        <translation>Demandez à un {role} de scanner son badge</translation>
    </message>
    <message>
        <source>Nobody is logged in</source>
        <translation>Personne n&apos;est connecté</translation>
    </message>
    <message>
        <source>Scan your operator badge first</source>
        <translation>Scannez d&apos;abord votre badge d&apos;opérateur</translation>
    </message>
    <message>
        <source>This is a shipping-container code (SSCC), not a unit</source>
        <translation>C&apos;est un code de colis d&apos;expédition (SSCC), pas une unité</translation>
    </message>
    <message>
        <source>Scan the unit&apos;s own IMEI or serial label</source>
        <translation>Scannez l&apos;étiquette IMEI ou numéro de série de l&apos;unité elle-même</translation>
    </message>
    <message>
        <source>This GS1 barcode names the product but not the unit (no serial, AI 21)</source>
        <translation>Ce code-barres GS1 désigne le produit mais pas l&apos;unité (pas de numéro de série, AI 21)</translation>
    </message>
    <message>
        <source>Scan the unit&apos;s IMEI or serial number instead</source>
        <translation>Scannez plutôt l&apos;IMEI ou le numéro de série de l&apos;unité</translation>
    </message>
    <message>
        <source>A {kind} code does not identify a unit</source>
        <translation>Un code {kind} n&apos;identifie pas une unité</translation>
    </message>
    <message>
        <source>Scan the unit&apos;s IMEI or serial number</source>
        <translation>Scannez l&apos;IMEI ou le numéro de série de l&apos;unité</translation>
    </message>
    <message>
        <source>These identifiers belong to different units: {items}</source>
        <translation>Ces identifiants appartiennent à des unités différentes : {items}</translation>
    </message>
    <message>
        <source>Set the unit aside and call a supervisor: two records claim the same device</source>
        <translation>Mettez l&apos;unité de côté et appelez un superviseur : deux fiches revendiquent le même appareil</translation>
    </message>
    <message>
        <source>{value!r} is not a valid {text}</source>
        <translation>{value!r} n&apos;est pas un {text} valide</translation>
    </message>
    <message>
        <source>It reads as {text2}; check the option you used</source>
        <translation>Il est lu comme {text2} ; vérifiez l&apos;option utilisée</translation>
    </message>
    <message>
        <source>{code!r} is not a lot code</source>
        <translation>{code!r} n&apos;est pas un code de lot</translation>
    </message>
    <message>
        <source>Lot codes start with {prefix}, e.g. {prefix}2026-0042</source>
        <translation>Les codes de lot commencent par {prefix}, p. ex. {prefix}2026-0042</translation>
    </message>
    <message>
        <source>Lot {value} already exists</source>
        <translation>Le lot {value} existe déjà</translation>
    </message>
    <message>
        <source>Scan it to receive into it, or pick a new code</source>
        <translation>Scannez-le pour y réceptionner, ou choisissez un nouveau code</translation>
    </message>
    <message>
        <source>The lot needs a supplier or customer name</source>
        <translation>Le lot doit avoir un nom de fournisseur ou de client</translation>
    </message>
    <message>
        <source>Type who the units come from</source>
        <translation>Saisissez la provenance des unités</translation>
    </message>
    <message>
        <source>The expected count cannot be negative</source>
        <translation>Le nombre attendu ne peut pas être négatif</translation>
    </message>
    <message>
        <source>Type 0 when unknown</source>
        <translation>Saisissez 0 s&apos;il est inconnu</translation>
    </message>
    <message>
        <source>{value} {code} is not on this bench</source>
        <translation>{value} {code} n&apos;est pas sur ce poste</translation>
    </message>
    <message>
        <source>Create the lot first (Lots page, Ctrl+N)</source>
        <translation>Créez d&apos;abord le lot (page Lots, Ctrl+N)</translation>
    </message>
    <message>
        <source>{label} was already received into lot {value}</source>
        <translation>{label} a déjà été réceptionnée dans le lot {value}</translation>
    </message>
    <message>
        <source>Check the unit&apos;s timeline; a unit belongs to one inbound lot</source>
        <translation>Consultez l&apos;historique de l&apos;unité ; une unité appartient à un seul lot entrant</translation>
    </message>
    <message>
        <source>Unit {unit_id} does not exist</source>
        <translation>L&apos;unité {unit_id} n&apos;existe pas</translation>
    </message>
    <message>
        <source>No price table is installed</source>
        <translation>Aucune grille de prix n&apos;est installée</translation>
    </message>
    <message>
        <source>Install the price tables that came with Refurb Bench, or sync with the hub</source>
        <translation>Installez les grilles de prix fournies avec Refurb Bench, ou synchronisez avec le hub</translation>
    </message>
    <message>
        <source>Unit {unit} not found</source>
        <translation>Unité {unit} introuvable</translation>
    </message>
    <message>
        <source>Scan the unit again</source>
        <translation>Scannez à nouveau l&apos;unité</translation>
    </message>
    <message>
        <source>Unit {unit} has no model</source>
        <translation>L&apos;unité {unit} n&apos;a pas de modèle</translation>
    </message>
    <message>
        <source>Type the model in the inspection</source>
        <translation>Saisissez le modèle dans l&apos;inspection</translation>
    </message>
    <message>
        <source>Unit {unit} is {state}: it cannot be graded now</source>
        <translation>L&apos;unité {unit} est à l&apos;état {state} : elle ne peut pas être gradée maintenant</translation>
    </message>
    <message>
        <source>Only units not yet labelled are graded; a supervisor can take it back first</source>
        <translation>Seules les unités pas encore étiquetées sont gradées ; un superviseur peut d&apos;abord la faire revenir en arrière</translation>
    </message>
    <message>
        <source>Only a supervisor can override a grade or a route</source>
        <translation>Seul un superviseur peut corriger un grade ou une orientation</translation>
    </message>
    <message>
        <source>Ask a supervisor to log in and override it</source>
        <translation>Demandez à un superviseur de se connecter et de le corriger</translation>
    </message>
    <message>
        <source>An override needs a reason</source>
        <translation>Une correction demande un motif</translation>
    </message>
    <message>
        <source>Say why the grade is changed</source>
        <translation>Dites pourquoi le grade change</translation>
    </message>
    <message>
        <source>Unit {unit} has no grade to override</source>
        <translation>L&apos;unité {unit} n&apos;a pas de grade à corriger</translation>
    </message>
    <message>
        <source>Grade it first</source>
        <translation>Gradez-la d&apos;abord</translation>
    </message>
    <message>
        <source>&apos;{grade}&apos; is not a grade of {scale}</source>
        <translation>« {grade} » n&apos;est pas un grade de {scale}</translation>
    </message>
    <message>
        <source>Choose one of {grades}</source>
        <translation>Choisissez parmi {grades}</translation>
    </message>
    <message>
        <source>Say why the route is changed</source>
        <translation>Dites pourquoi l&apos;orientation change</translation>
    </message>
    <message>
        <source>Unit {unit} is {state}: only a routed unit not yet labelled can be re-routed</source>
        <translation>L&apos;unité {unit} est à l&apos;état {state} : seule une unité orientée et pas encore étiquetée peut être réorientée</translation>
    </message>
    <message>
        <source>Grade the unit first, or reprint after the override</source>
        <translation>Gradez d&apos;abord l&apos;unité, ou réimprimez après la correction</translation>
    </message>
    <message>
        <source>A resale route needs a channel</source>
        <translation>Une orientation vers la revente demande un canal</translation>
    </message>
    <message>
        <source>Give the channel, e.g. wholesale</source>
        <translation>Indiquez le canal, par exemple wholesale</translation>
    </message>
    <message>
        <source>Phone bay {bay} cannot go from {current} to {target}</source>
        <translation>La baie téléphone {bay} ne peut pas passer de {current} à {target}</translation>
    </message>
    <message>
        <source>Wait for what it is doing to finish</source>
        <translation>Attendez la fin de ce qu&apos;elle fait</translation>
    </message>
    <message>
        <source>Bay {bay} is out of range</source>
        <translation>La baie {bay} est hors limites</translation>
    </message>
    <message>
        <source>Bays are numbered 1 to 64</source>
        <translation>Les baies sont numérotées de 1 à 64</translation>
    </message>
    <message>
        <source>The bay needs a port key</source>
        <translation>La baie a besoin d&apos;une clé de port</translation>
    </message>
    <message>
        <source>Copy it from &apos;refurb-bench drive list&apos;</source>
        <translation>Copiez-la depuis « refurb-bench drive list »</translation>
    </message>
    <message>
        <source>Bay {bay} is not assigned</source>
        <translation>La baie {bay} n&apos;est pas attribuée</translation>
    </message>
    <message>
        <source>See &apos;refurb-bench bays list&apos;</source>
        <translation>Voir « refurb-bench bays list »</translation>
    </message>
    <message>
        <source>Unknown erase method &apos;{method}&apos;</source>
        <translation>Méthode d&apos;effacement inconnue « {method} »</translation>
    </message>
    <message>
        <source>Choose one of: {methods}</source>
        <translation>Choisissez parmi : {methods}</translation>
    </message>
    <message>
        <source>{path} is not a drive this bench can see</source>
        <translation>{path} n&apos;est pas un disque que ce poste voit</translation>
    </message>
    <message>
        <source>Check the drive is plugged in; &apos;refurb-bench drive list&apos; shows what is seen</source>
        <translation>Vérifiez que le disque est branché ; « refurb-bench drive list » montre ce qui est vu</translation>
    </message>
    <message>
        <source>Cannot erase {path}: {error}</source>
        <translation>Impossible d&apos;effacer {path} : {error}</translation>
    </message>
    <message>
        <source>Check the drive and its cable</source>
        <translation>Vérifiez le disque et son câble</translation>
    </message>
    <message>
        <source>{method} cannot run on {path} now: {why}</source>
        <translation>{method} ne peut pas s&apos;exécuter sur {path} maintenant : {why}</translation>
    </message>
    <message>
        <source>{path} cannot be erased: {why}</source>
        <translation>{path} ne peut pas être effacé : {why}</translation>
    </message>
    <message>
        <source>Route the drive to physical destruction</source>
        <translation>Orientez le disque vers la destruction physique</translation>
    </message>
    <message>
        <source>{path} does not offer {method} ({detail})</source>
        <translation>{path} ne propose pas {method} ({detail})</translation>
    </message>
    <message>
        <source>{path} does not offer {method}</source>
        <translation>{path} ne propose pas {method}</translation>
    </message>
    <message>
        <source>The erasure of {path} stopped unexpectedly (exit {code})</source>
        <translation>L&apos;effacement de {path} s&apos;est arrêté de façon inattendue (code de sortie {code})</translation>
    </message>
    <message>
        <source>It is recorded as far as it got: check the drive, then start it again (F7 resumes an overwrite)</source>
        <translation>Il est enregistré jusqu&apos;où il est allé : vérifiez le disque, puis relancez-le (F7 reprend un écrasement)</translation>
    </message>
    <message>
        <source>The override reason &apos;{reason}&apos; is too short</source>
        <translation>Le motif de dérogation « {reason} » est trop court</translation>
    </message>
    <message>
        <source>Say in a few words why this drive may be erased outside the bay map</source>
        <translation>Dites en quelques mots pourquoi ce disque peut être effacé hors du plan des baies</translation>
    </message>
    <message>
        <source>Ask a supervisor to scan their badge and give the reason</source>
        <translation>Demandez à un superviseur de scanner son badge et de donner le motif</translation>
    </message>
    <message>
        <source>Overriding the erase interlock needs a supervisor; nobody is logged in</source>
        <translation>Passer outre le verrou d&apos;effacement demande un superviseur ; personne n&apos;est connecté</translation>
    </message>
    <message>
        <source>Overriding the erase interlock needs a supervisor; {name} is a {role}</source>
        <translation>Passer outre le verrou d&apos;effacement demande un superviseur ; {name} est {role}</translation>
    </message>
    <message>
        <source>{path} reports no serial number</source>
        <translation>{path} n&apos;indique aucun numéro de série</translation>
    </message>
    <message>
        <source>Scan or type the serial from the drive&apos;s label (--unit)</source>
        <translation>Scannez ou saisissez le numéro de série de l&apos;étiquette du disque (--unit)</translation>
    </message>
    <message>
        <source>This bench is not enrolled with a hub</source>
        <translation>Ce poste n&apos;est inscrit auprès d&apos;aucun hub</translation>
    </message>
    <message>
        <source>Enroll it in Settings → Sync to see every bench&apos;s figures, or choose This bench</source>
        <translation>Inscrivez-le dans Paramètres → Synchronisation pour voir les chiffres de tous les postes, ou choisissez Ce poste</translation>
    </message>
    <message>
        <source>The hub cannot be reached</source>
        <translation>Le hub est injoignable</translation>
    </message>
    <message>
        <source>The dashboard asks it again while it is shown</source>
        <translation>Le tableau de bord le redemande tant qu&apos;il est affiché</translation>
    </message>
    <message>
        <source>The hub refused: {reason}</source>
        <translation>Le hub a refusé : {reason}</translation>
    </message>
    <message>
        <source>Check the bench&apos;s enrolment in Settings → Sync</source>
        <translation>Vérifiez l&apos;inscription du poste dans Paramètres → Synchronisation</translation>
    </message>
    <message>
        <source>The hub&apos;s figures could not be read</source>
        <translation>Les chiffres du hub n&apos;ont pas pu être lus</translation>
    </message>
    <message>
        <source>Update this bench or the hub so both run the same version</source>
        <translation>Mettez à jour ce poste ou le hub pour qu&apos;ils aient la même version</translation>
    </message>
    <message>
        <source>Phone {phone} gives neither a valid IMEI nor a serial number</source>
        <translation>Le téléphone {phone} ne donne ni IMEI valide ni numéro de série</translation>
    </message>
    <message>
        <source>Scan the IMEI from the label or *#06#, then re-check the phone</source>
        <translation>Scannez l&apos;IMEI sur l&apos;étiquette ou via *#06#, puis revérifiez le téléphone</translation>
    </message>
    <message>
        <source>This phone&apos;s identifiers belong to different units: {units}</source>
        <translation>Les identifiants de ce téléphone appartiennent à des unités différentes : {units}</translation>
    </message>
    <message>
        <source>Set the phone aside and call a supervisor: two records claim it</source>
        <translation>Mettez le téléphone de côté et appelez un superviseur : deux fiches le revendiquent</translation>
    </message>
    <message>
        <source>This phone is on hold for a blocker; it is not tested until that is cleared</source>
        <translation>Ce téléphone est en attente pour un blocage ; il n&apos;est pas testé tant que celui-ci n&apos;est pas levé</translation>
    </message>
    <message>
        <source>Clear the blocker on the phone, then re-check it (Ctrl+R)</source>
        <translation>Levez le blocage sur le téléphone, puis revérifiez-le (Ctrl+R)</translation>
    </message>
    <message>
        <source>Unit {unit} is {state}; its phone plan cannot start now</source>
        <translation>L&apos;unité {unit} est à l&apos;état {state} ; son plan de test téléphone ne peut pas démarrer maintenant</translation>
    </message>
    <message>
        <source>Open the unit to see where it is in its lifecycle</source>
        <translation>Ouvrez l&apos;unité pour voir où elle en est de son cycle de vie</translation>
    </message>
    <message>
        <source>Run {run} is not the phone&apos;s open plan run</source>
        <translation>Le passage {run} n&apos;est pas le passage de plan ouvert du téléphone</translation>
    </message>
    <message>
        <source>Re-check the phone (Ctrl+R): its plan resumes or starts again</source>
        <translation>Revérifiez le téléphone (Ctrl+R) : son plan reprend ou recommence</translation>
    </message>
    <message>
        <source>The phone plan still has steps without a result</source>
        <translation>Le plan du téléphone a encore des étapes sans résultat</translation>
    </message>
    <message>
        <source>Answer every guided step (P pass, F fail, S skip)</source>
        <translation>Répondez à chaque étape guidée (P réussi, F échec, S passer)</translation>
    </message>
    <message>
        <source>Unit {unit} is {state}; a phone in that state is not reset</source>
        <translation>L&apos;unité {unit} est à l&apos;état {state} ; un téléphone dans cet état n&apos;est pas réinitialisé</translation>
    </message>
    <message>
        <source>Clear its hold or finish its tests first</source>
        <translation>Levez d&apos;abord sa mise en attente ou terminez ses tests</translation>
    </message>
    <message>
        <source>No rig identified on {port}: {reason}</source>
        <translation>Aucun banc de test identifié sur {port} : {reason}</translation>
    </message>
    <message>
        <source>check {check}</source>
        <translation>vérifiez {check}</translation>
    </message>
    <message>
        <source>check the rig and its cable</source>
        <translation>vérifiez le banc de test et son câble</translation>
    </message>
    <message>
        <source>Rig bay {bay} has no rigs bound</source>
        <translation>La baie de test {bay} n&apos;a aucun banc associé</translation>
    </message>
    <message>
        <source>bind its ports first: refurb-bench rigs bind {bay} PORT --role ROLE</source>
        <translation>associez d&apos;abord ses ports : refurb-bench rigs bind {bay} PORT --role ROLE</translation>
    </message>
    <message>
        <source>Rig bay {bay} is out of range</source>
        <translation>La baie de test {bay} est hors limites</translation>
    </message>
    <message>
        <source>use a bay number from 1 to {last}</source>
        <translation>utilisez un numéro de baie de 1 à {last}</translation>
    </message>
    <message>
        <source>&apos;{role}&apos; is not a rig role</source>
        <translation>« {role} » n&apos;est pas un rôle de banc de test</translation>
    </message>
    <message>
        <source>use the role the plans name: load, dmm, psu, modem, console</source>
        <translation>utilisez le rôle que nomment les plans : load, dmm, psu, modem, console</translation>
    </message>
    <message>
        <source>&apos;{protocol}&apos; is not a rig protocol</source>
        <translation>« {protocol} » n&apos;est pas un protocole de banc de test</translation>
    </message>
    <message>
        <source>use scpi, at or line</source>
        <translation>utilisez scpi, at ou line</translation>
    </message>
    <message>
        <source>No port given</source>
        <translation>Aucun port indiqué</translation>
    </message>
    <message>
        <source>give the rig&apos;s /dev/serial/by-id/... path</source>
        <translation>indiquez le chemin /dev/serial/by-id/... du banc de test</translation>
    </message>
    <message>
        <source>Rig bay {bay} has no &apos;{role}&apos; rig</source>
        <translation>La baie de test {bay} n&apos;a pas de banc « {role} »</translation>
    </message>
    <message>
        <source>&apos;rigs list&apos; shows what is bound</source>
        <translation>« rigs list » montre ce qui est associé</translation>
    </message>
    <message>
        <source>No test plan &apos;{plan}&apos;</source>
        <translation>Aucun plan de test « {plan} »</translation>
    </message>
    <message>
        <source>the plans are {plans}</source>
        <translation>les plans sont {plans}</translation>
    </message>
    <message>
        <source>scan the unit&apos;s label again</source>
        <translation>scannez à nouveau l&apos;étiquette de l&apos;unité</translation>
    </message>
    <message>
        <source>Unit {unit} is {state}: it cannot be tested now</source>
        <translation>L&apos;unité {unit} est à l&apos;état {state} : elle ne peut pas être testée maintenant</translation>
    </message>
    <message>
        <source>only units before grading (or back from repair) go on a test rig</source>
        <translation>seules les unités pas encore gradées (ou revenues de réparation) passent sur un banc de test</translation>
    </message>
    <message>
        <source>The hub enrolment in {path} is damaged</source>
        <translation>L&apos;inscription au hub dans {path} est endommagée</translation>
    </message>
    <message>
        <source>Enroll the bench again with &apos;refurb-bench sync enroll&apos;</source>
        <translation>Inscrivez à nouveau le poste avec « refurb-bench sync enroll »</translation>
    </message>
    <message>
        <source>Give the hub&apos;s address, e.g. http://hub.local:8470</source>
        <translation>Indiquez l&apos;adresse du hub, par exemple http://hub.local:8470</translation>
    </message>
    <message>
        <source>This data folder has no station yet</source>
        <translation>Ce dossier de données n&apos;a pas encore de poste</translation>
    </message>
    <message>
        <source>Start Refurb Bench once first</source>
        <translation>Lancez d&apos;abord Refurb Bench une fois</translation>
    </message>
    <message>
        <source>Check the hub address and the network, then try again</source>
        <translation>Vérifiez l&apos;adresse du hub et le réseau, puis réessayez</translation>
    </message>
    <message>
        <source>The hub refused the enrolment: {reason}</source>
        <translation>Le hub a refusé l&apos;inscription : {reason}</translation>
    </message>
    <message>
        <source>Enroll it first: &apos;sync enroll&apos;</source>
        <translation>Inscrivez-le d&apos;abord : « sync enroll »</translation>
    </message>
</context>
<context>
    <name>OperatorsDialog</name>
    <message>
        <source>Operators</source>
        <translation>Opérateurs</translation>
    </message>
    <message>
        <source>scan the new badge, or type it (OP-0042)</source>
        <translation>scannez le nouveau badge, ou saisissez-le (OP-0042)</translation>
    </message>
    <message>
        <source>&amp;Add operator</source>
        <translation>&amp;Ajouter l&apos;opérateur</translation>
    </message>
    <message>
        <source>&amp;Name</source>
        <translation>&amp;Nom</translation>
    </message>
    <message>
        <source>&amp;Badge</source>
        <translation>&amp;Badge</translation>
    </message>
    <message>
        <source>&amp;Role</source>
        <translation>&amp;Rôle</translation>
    </message>
    <message>
        <source>&amp;PIN</source>
        <translation>Code &amp;PIN</translation>
    </message>
    <message>
        <source>PIN &amp;again</source>
        <translation>Code PIN à &amp;nouveau</translation>
    </message>
    <message>
        <source>New operator</source>
        <translation>Nouvel opérateur</translation>
    </message>
    <message>
        <source>The two PINs differ — type the same PIN twice</source>
        <translation>Les deux codes PIN diffèrent — saisissez deux fois le même code</translation>
    </message>
</context>
<context>
    <name>OverrideDialog</name>
    <message>
        <source>Supervisor override</source>
        <translation>Dérogation du superviseur</translation>
    </message>
    <message>
        <source>&lt;b&gt;{name}&lt;/b&gt; ({model} {serial}) is refused: {refused}.&lt;br&gt;A supervisor may erase it anyway. The reason and the supervisor&apos;s name are recorded with the erasure and printed on its certificate.</source>
        <translation>&lt;b&gt;{name}&lt;/b&gt; ({model} {serial}) est refusé : {refused}.&lt;br&gt;Un superviseur peut l&apos;effacer malgré tout. Le motif et le nom du superviseur sont enregistrés avec l&apos;effacement et imprimés sur son certificat.</translation>
    </message>
    <message>
        <source>Why may this drive be erased? (a few words)</source>
        <translation>Pourquoi ce disque peut-il être effacé ? (quelques mots)</translation>
    </message>
    <message>
        <source>Scan the supervisor&apos;s badge</source>
        <translation>Scannez le badge du superviseur</translation>
    </message>
    <message>
        <source>Supervisor &amp;badge:</source>
        <translation>&amp;Badge du superviseur :</translation>
    </message>
    <message>
        <source>Supervisor:</source>
        <translation>Superviseur :</translation>
    </message>
    <message>
        <source>&amp;Reason:</source>
        <translation>&amp;Motif :</translation>
    </message>
    <message>
        <source>&amp;Erase with override</source>
        <translation>&amp;Effacer par dérogation</translation>
    </message>
    <message>
        <source>none yet: a supervisor scans their badge</source>
        <translation>personne pour l&apos;instant : un superviseur scanne son badge</translation>
    </message>
    <message>
        <source>{strip!r} is not an operator badge of this bench</source>
        <translation>{strip!r} n&apos;est pas un badge d&apos;opérateur de ce poste</translation>
    </message>
    <message>
        <source>{name} is a {role}: a supervisor must scan their badge</source>
        <translation>{name} est {role} : un superviseur doit scanner son badge</translation>
    </message>
    <message>
        <source>A supervisor must scan their badge to override this refusal</source>
        <translation>Un superviseur doit scanner son badge pour passer outre ce refus</translation>
    </message>
</context>
<context>
    <name>PackPage</name>
    <message>
        <source>N: new box with the choices above · scan a box label to pick it · scan units to pack them · Delete: take the selected unit out · Ctrl+Enter: close the box (manifest CSV and PDF, box label) · R: reprint the box label</source>
        <translation>N : nouveau carton avec les choix ci-dessus · scannez l&apos;étiquette d&apos;un carton pour le choisir · scannez des unités pour les emballer · Suppr : retire l&apos;unité sélectionnée · Ctrl+Entrée : ferme le carton (manifeste CSV et PDF, étiquette du carton) · R : réimprime l&apos;étiquette du carton</translation>
    </message>
    <message>
        <source>Resale</source>
        <translation>Revente</translation>
    </message>
    <message>
        <source>Repair</source>
        <translation>Réparation</translation>
    </message>
    <message>
        <source>Parts harvest</source>
        <translation>Récupération de pièces</translation>
    </message>
    <message>
        <source>Recycle</source>
        <translation>Recyclage</translation>
    </message>
    <message>
        <source>Wholesale</source>
        <translation>Vente en gros</translation>
    </message>
    <message>
        <source>Road</source>
        <translation>Route</translation>
    </message>
    <message>
        <source>Air</source>
        <translation>Aérien</translation>
    </message>
    <message>
        <source>Sea</source>
        <translation>Maritime</translation>
    </message>
    <message>
        <source>Ro&amp;ute</source>
        <translation>&amp;Orientation</translation>
    </message>
    <message>
        <source>C&amp;hannel</source>
        <translation>&amp;Canal</translation>
    </message>
    <message>
        <source>Ship &amp;by</source>
        <translation>&amp;Transport</translation>
    </message>
    <message>
        <source>No box open — N opens one</source>
        <translation>Aucun carton ouvert — N en ouvre un</translation>
    </message>
    <message>
        <source>Line</source>
        <translation>Ligne</translation>
    </message>
    <message>
        <source>Identifier</source>
        <translation>Identifiant</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modèle</translation>
    </message>
    <message>
        <source>Grade</source>
        <translation>Grade</translation>
    </message>
    <message>
        <source>Route</source>
        <translation>Orientation</translation>
    </message>
    <message>
        <source>Units in the box</source>
        <translation>Unités dans le carton</translation>
    </message>
    <message>
        <source>Box</source>
        <translation>Carton</translation>
    </message>
    <message>
        <source>Ship by</source>
        <translation>Transport</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>Unités</translation>
    </message>
    <message>
        <source>Open boxes</source>
        <translation>Cartons ouverts</translation>
    </message>
</context>
<context>
    <name>PackTab</name>
    <message>
        <source>Box {box_id}: {route_text}, {units} units, {state}</source>
        <translation>Carton {box_id} : {route_text}, {units} unités, {state}</translation>
    </message>
    <message>
        <source>Box {box_id} opened for {route_text} — scan its units</source>
        <translation>Carton {box_id} ouvert pour {route_text} — scannez ses unités</translation>
    </message>
    <message>
        <source>No box open for {label}: N opens one, or scan a box label</source>
        <translation>Aucun carton ouvert pour {label} : N en ouvre un, ou scannez l&apos;étiquette d&apos;un carton</translation>
    </message>
    <message>
        <source>{label} packed in {box_id} (line {units})</source>
        <translation>{label} emballé dans {box_id} (ligne {units})</translation>
    </message>
    <message>
        <source>{label} taken out of {box_id}</source>
        <translation>{label} retiré de {box_id}</translation>
    </message>
    <message>
        <source>Closing box {box_id}: writing its manifest…</source>
        <translation>Fermeture du carton {box_id} : écriture de son manifeste…</translation>
    </message>
    <message>
        <source>Box {box_id} was not closed: {error}</source>
        <translation>Le carton {box_id} n&apos;a pas été fermé : {error}</translation>
    </message>
    <message>
        <source>Box {box_id} closed with {count} units — manifest {name} and {name2}; printing the box label</source>
        <translation>Carton {box_id} fermé avec {count} unités — manifeste {name} et {name2} ; impression de l&apos;étiquette du carton</translation>
    </message>
    <message>
        <source>Reprinting the label of box {box_id}</source>
        <translation>Réimpression de l&apos;étiquette du carton {box_id}</translation>
    </message>
    <message>
        <source>Box {box_id} has no label yet: Ctrl+Enter closes it and prints one</source>
        <translation>Le carton {box_id} n&apos;a pas encore d&apos;étiquette : Ctrl+Entrée le ferme et en imprime une</translation>
    </message>
    <message>
        <source>No box open — N opens one</source>
        <translation>Aucun carton ouvert — N en ouvre un</translation>
    </message>
    <message>
        <source>Box {box_id} · {route_text} · {units} units</source>
        <translation>Carton {box_id} · {route_text} · {units} unités</translation>
    </message>
    <message>
        <source> · closed</source>
        <translation> · fermé</translation>
    </message>
</context>
<context>
    <name>PhoneActions</name>
    <message>
        <source>{heading} cannot be re-checked now ({replace})</source>
        <translation>{heading} ne peut pas être revérifié maintenant ({replace})</translation>
    </message>
    <message>
        <source>Select a tested phone to test it again</source>
        <translation>Sélectionnez un téléphone testé pour le tester à nouveau</translation>
    </message>
    <message>
        <source>Factory reset</source>
        <translation>Réinitialisation d&apos;usine</translation>
    </message>
    <message>
        <source>Factory-reset the {phone_text} in {label}?

Everything on it is erased.</source>
        <translation>Réinitialiser aux paramètres d&apos;usine le {phone_text} de {label} ?

Tout son contenu est effacé.</translation>
    </message>
    <message>
        <source>{heading} is on hold for a blocker: it is not reset until that is cleared</source>
        <translation>{heading} est en attente à cause d&apos;un blocage : il n&apos;est pas réinitialisé tant que celui-ci n&apos;est pas levé</translation>
    </message>
    <message>
        <source>{heading} cannot be reset now ({replace})</source>
        <translation>{heading} ne peut pas être réinitialisé maintenant ({replace})</translation>
    </message>
</context>
<context>
    <name>PhonePlanSteps</name>
    <message>
        <source>Tested: {verdict}</source>
        <translation>Testé : {verdict}</translation>
    </message>
    <message>
        <source>Not tested: the phone plan from the hub cannot be used (details below)</source>
        <translation>Non testé : le plan de test téléphone du hub est inutilisable (détails ci-dessous)</translation>
    </message>
    <message>
        <source>{heading}: not tested — {exc}</source>
        <translation>{heading} : non testé — {exc}</translation>
    </message>
    <message>
        <source>Resuming: {done} of {count} steps done</source>
        <translation>Reprise : {done} étapes faites sur {count}</translation>
    </message>
    <message>
        <source>Checked {name}: {outcome}</source>
        <translation>Vérifié {name} : {outcome}</translation>
    </message>
    <message>
        <source>{heading}: {label} tested — {verdict}</source>
        <translation>{heading} : {label} testé — {verdict}</translation>
    </message>
    <message>
        <source>{heading} has no step waiting for an answer</source>
        <translation>{heading} n&apos;a aucune étape en attente de réponse</translation>
    </message>
</context>
<context>
    <name>PhonesPage</name>
    <message>
        <source>Plug a phone into a bay: it is identified and tested on its own.</source>
        <translation>Branchez un téléphone dans une baie : il est identifié et testé automatiquement.</translation>
    </message>
    <message>
        <source>&amp;Re-check (Ctrl+R)</source>
        <translation>&amp;Revérifier (Ctrl+R)</translation>
    </message>
    <message>
        <source>&amp;Test again (Ctrl+T)</source>
        <translation>&amp;Tester à nouveau (Ctrl+T)</translation>
    </message>
    <message>
        <source>&amp;Factory reset (Ctrl+Shift+E)</source>
        <translation>Réinitialisation d&apos;&amp;usine (Ctrl+Maj+E)</translation>
    </message>
</context>
<context>
    <name>PhonesTab</name>
    <message>
        <source>Starting the simulated phones…</source>
        <translation>Démarrage des téléphones simulés…</translation>
    </message>
    <message>
        <source>iPhones cannot be watched: {error} — check the data folder&apos;s permissions</source>
        <translation>Les iPhone ne peuvent pas être surveillés : {error} — vérifiez les droits du dossier de données</translation>
    </message>
    <message>
        <source>the adb server on port {port}</source>
        <translation>le serveur adb sur le port {port}</translation>
    </message>
    <message>
        <source>Phones appear as plugged in, from {sources}</source>
        <translation>Les téléphones apparaissent dès leur branchement, via {sources}</translation>
    </message>
    <message>
        <source> and </source>
        <translation> et </translation>
    </message>
    <message>
        <source>{label}: plug its phone in — it will be recorded as this unit</source>
        <translation>{label} : branchez son téléphone — il sera enregistré comme cette unité</translation>
    </message>
    <message>
        <source>{heading}: {label} is on hold: {removeprefix}</source>
        <translation>{heading} : {label} est en attente : {removeprefix}</translation>
    </message>
    <message>
        <source>{heading}: no blockers left — {label} is released from its hold</source>
        <translation>{heading} : plus aucun blocage — {label} n&apos;est plus en attente</translation>
    </message>
    <message>
        <source>Simulated phones did not start: {error}</source>
        <translation>Les téléphones simulés n&apos;ont pas démarré : {error}</translation>
    </message>
    <message>
        <source>{count} simulated Android phones on a private adb server</source>
        <translation>{count} téléphones Android simulés sur un serveur adb privé</translation>
    </message>
    <message>
        <source>{count} simulated iPhones on a private usbmuxd</source>
        <translation>{count} iPhone simulés sur un usbmuxd privé</translation>
    </message>
    <message>
        <source>Plug a phone into a bay: it is identified and tested on its own.</source>
        <translation>Branchez un téléphone dans une baie : il est identifié et testé automatiquement.</translation>
    </message>
</context>
<context>
    <name>PhonesView</name>
    <message>
        <source>could not check</source>
        <translation>vérification impossible</translation>
    </message>
    <message>
        <source>level ?</source>
        <translation>niveau ?</translation>
    </message>
    <message>
        <source>{pct} % health</source>
        <translation>{pct} % de santé</translation>
    </message>
    <message>
        <source>{count} cycles</source>
        <translation>{count} cycles</translation>
    </message>
    <message>
        <source>none</source>
        <translation>aucun</translation>
    </message>
    <message>
        <source>Attached — reading it…</source>
        <translation>Branché — lecture en cours…</translation>
    </message>
    <message>
        <source>Waiting for the phone</source>
        <translation>En attente du téléphone</translation>
    </message>
    <message>
        <source>Identifying…</source>
        <translation>Identification…</translation>
    </message>
    <message>
        <source>Identified</source>
        <translation>Identifié</translation>
    </message>
    <message>
        <source>Automatic checks…</source>
        <translation>Contrôles automatiques…</translation>
    </message>
    <message>
        <source>Resetting…</source>
        <translation>Réinitialisation…</translation>
    </message>
    <message>
        <source>Sanitised</source>
        <translation>Effacées</translation>
    </message>
    <message>
        <source>Unplugged</source>
        <translation>Débranché</translation>
    </message>
    <message>
        <source>Could not read the phone</source>
        <translation>Lecture du téléphone impossible</translation>
    </message>
    <message>
        <source>On hold</source>
        <translation>En attente</translation>
    </message>
    <message>
        <source>Tested</source>
        <translation>Testées</translation>
    </message>
    <message>
        <source>Asking the iPhone to trust this bench…</source>
        <translation>Demande à l&apos;iPhone de faire confiance à ce poste…</translation>
    </message>
    <message>
        <source>Tap “Allow USB debugging” on the phone</source>
        <translation>Touchez « Autoriser le débogage USB » sur le téléphone</translation>
    </message>
    <message>
        <source>Step {number} of {steps}: {name} — P pass, F fail, S skip</source>
        <translation>Étape {number} sur {steps} : {name} — P réussi, F échoué, S passer</translation>
    </message>
    <message>
        <source> {done} of {count}</source>
        <translation> {done} sur {count}</translation>
    </message>
    <message>
        <source> as unit {label}</source>
        <translation> comme unité {label}</translation>
    </message>
    <message>
        <source>{heading} · {phone} — step {number} of {steps}: {name}</source>
        <translation>{heading} · {phone} — étape {number} sur {steps} : {name}</translation>
    </message>
    <message>
        <source>P  pass     F  fail     S  skip</source>
        <translation>P  réussi     F  échoué     S  passer</translation>
    </message>
</context>
<context>
    <name>Refusal</name>
    <message>
        <source>{path} holds this bench&apos;s own system ({where})</source>
        <translation>{path} contient le système de ce poste ({where})</translation>
    </message>
    <message>
        <source>This is the bench PC&apos;s disk. Erase drives only in the bench&apos;s bays</source>
        <translation>C&apos;est le disque du PC du poste. N&apos;effacez que les disques placés dans les baies du poste</translation>
    </message>
    <message>
        <source>{path} is mounted at {points}</source>
        <translation>{path} est monté sur {points}</translation>
    </message>
    <message>
        <source>Unmount it first (or unplug and replug it if the desktop mounted it)</source>
        <translation>Démontez-le d&apos;abord (ou débranchez-le et rebranchez-le si le bureau l&apos;a monté)</translation>
    </message>
    <message>
        <source>{path} is in use as swap</source>
        <translation>{path} sert d&apos;espace d&apos;échange (swap)</translation>
    </message>
    <message>
        <source>Turn the swap off (swapoff) first</source>
        <translation>Désactivez d&apos;abord l&apos;espace d&apos;échange (swapoff)</translation>
    </message>
    <message>
        <source>{path} is part of an active LVM/RAID/dm stack (held by {holders})</source>
        <translation>{path} fait partie d&apos;un empilement LVM/RAID/dm actif (tenu par {holders})</translation>
    </message>
    <message>
        <source>Deactivate the volume group or array that uses it first</source>
        <translation>Désactivez d&apos;abord le groupe de volumes ou la grappe qui l&apos;utilise</translation>
    </message>
    <message>
        <source>{path} is a loop device (a file, not a drive)</source>
        <translation>{path} est un périphérique loop (un fichier, pas un disque)</translation>
    </message>
    <message>
        <source>Loop devices are erased only in tests, with --allow-loop</source>
        <translation>Les périphériques loop ne s&apos;effacent qu&apos;en test, avec --allow-loop</translation>
    </message>
    <message>
        <source>{path} is not in a bay of this bench</source>
        <translation>{path} n&apos;est dans aucune baie de ce poste</translation>
    </message>
    <message>
        <source>Assign its port ({port}) to a bay in the bay map, then try again</source>
        <translation>Affectez son port ({port}) à une baie dans la carte des baies, puis réessayez</translation>
    </message>
    <message>
        <source>{path} is read-only</source>
        <translation>{path} est en lecture seule</translation>
    </message>
    <message>
        <source>Check the drive&apos;s write-protect switch or the dock</source>
        <translation>Vérifiez l&apos;interrupteur de protection en écriture du disque ou la station d&apos;accueil</translation>
    </message>
    <message>
        <source>{path} has no media (size 0)</source>
        <translation>{path} n&apos;a pas de support (taille 0)</translation>
    </message>
    <message>
        <source>Insert the drive or card</source>
        <translation>Insérez le disque ou la carte</translation>
    </message>
</context>
<context>
    <name>ReportExporter</name>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>Fichiers PDF (*.pdf)</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>Fichiers CSV (*.csv)</translation>
    </message>
    <message>
        <source>JSON files (*.json)</source>
        <translation>Fichiers JSON (*.json)</translation>
    </message>
    <message>
        <source>A report is still being made — wait for it to finish</source>
        <translation>Un rapport est encore en cours — attendez qu&apos;il soit terminé</translation>
    </message>
    <message>
        <source>Select a lot first, then export its report</source>
        <translation>Sélectionnez d&apos;abord un lot, puis exportez son rapport</translation>
    </message>
    <message>
        <source>Export the report of lot {code}</source>
        <translation>Exporter le rapport du lot {code}</translation>
    </message>
    <message>
        <source>Making the report of lot {code}…</source>
        <translation>Création du rapport du lot {code}…</translation>
    </message>
    <message>
        <source>Export the production report of {day}</source>
        <translation>Exporter le rapport de production du {day}</translation>
    </message>
    <message>
        <source>Making the production report of {day}…</source>
        <translation>Création du rapport de production du {day}…</translation>
    </message>
    <message>
        <source>The report was not made: {error}</source>
        <translation>Le rapport n&apos;a pas été créé : {error}</translation>
    </message>
    <message>
        <source>The report was not made: {error} — try again; if it fails again, call a supervisor with the bench&apos;s log</source>
        <translation>Le rapport n&apos;a pas été créé : {error} — réessayez ; en cas de nouvel échec, appelez un superviseur avec le journal du poste</translation>
    </message>
    <message>
        <source>The report was cancelled</source>
        <translation>Le rapport a été annulé</translation>
    </message>
    <message>
        <source>Report of lot {code} written to {path}</source>
        <translation>Rapport du lot {code} écrit dans {path}</translation>
    </message>
    <message>
        <source>Production report of {day} written to {path}</source>
        <translation>Rapport de production du {day} écrit dans {path}</translation>
    </message>
</context>
<context>
    <name>RigRunController</name>
    <message>
        <source>Rig bay {bay} is still testing</source>
        <translation>La baie de banc {bay} est encore en test</translation>
    </message>
    <message>
        <source>wait for its plan, or cancel it</source>
        <translation>attendez la fin de son plan, ou annulez-le</translation>
    </message>
    <message>
        <source>Plan {plan} needs a {roles} rig in bay {bay}</source>
        <translation>Le plan {plan} demande un banc {roles} dans la baie {bay}</translation>
    </message>
    <message>
        <source>bind the rig&apos;s port to this bay (Ctrl+Shift+P), or choose another plan</source>
        <translation>associez le port du banc à cette baie (Ctrl+Maj+P), ou choisissez un autre plan</translation>
    </message>
    <message>
        <source>Rig bay {bay}: {message}</source>
        <translation>Baie de banc {bay} : {message}</translation>
    </message>
    <message>
        <source>check {what}</source>
        <translation>vérifiez {what}</translation>
    </message>
    <message>
        <source>Rig bay {bay}: the plan did not start</source>
        <translation>Baie de banc {bay} : le plan n&apos;a pas démarré</translation>
    </message>
    <message>
        <source>try again</source>
        <translation>réessayez</translation>
    </message>
</context>
<context>
    <name>RigsPage</name>
    <message>
        <source>No unit on the rig — scan its label</source>
        <translation>Aucune unité sur le banc de test — scannez son étiquette</translation>
    </message>
    <message>
        <source>Bay</source>
        <translation>Baie</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rôle</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>Port</translation>
    </message>
    <message>
        <source>Rig</source>
        <translation>Banc</translation>
    </message>
    <message>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <source>&amp;Run plan  Ctrl+R</source>
        <translation>&amp;Lancer le plan  Ctrl+R</translation>
    </message>
    <message>
        <source>Cancel  Ctrl+Shift+X</source>
        <translation>Annuler  Ctrl+Maj+X</translation>
    </message>
    <message>
        <source>Bind a &amp;port…  Ctrl+Shift+P</source>
        <translation>Associer un &amp;port…  Ctrl+Maj+P</translation>
    </message>
    <message>
        <source>&amp;Plan</source>
        <translation>&amp;Plan</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Étape</translation>
    </message>
    <message>
        <source>Measured</source>
        <translation>Mesure</translation>
    </message>
    <message>
        <source>Limits</source>
        <translation>Limites</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <source>What happened</source>
        <translation>Ce qui s&apos;est passé</translation>
    </message>
    <message>
        <source>{step_name}: {question}
Press {upper} for yes (pass) or {upper2} for no (fail)</source>
        <translation>{step_name} : {question}
Appuyez sur {upper} pour oui (réussi) ou sur {upper2} pour non (échoué)</translation>
    </message>
</context>
<context>
    <name>RigsTab</name>
    <message>
        <source>Serial ports are watched ({source_name} events); rigs are identified as they come</source>
        <translation>Les ports série sont surveillés (événements {source_name}) ; les bancs sont identifiés à leur arrivée</translation>
    </message>
    <message>
        <source>No hotplug events here: rigs are checked every few seconds</source>
        <translation>Pas d&apos;événements de branchement ici : les bancs sont vérifiés toutes les quelques secondes</translation>
    </message>
    <message>
        <source>{label} is on the rig — Ctrl+R runs {value}</source>
        <translation>{label} est sur le banc — Ctrl+R lance {value}</translation>
    </message>
    <message>
        <source>On the rig: {label}{model} — {state}</source>
        <translation>Sur le banc : {label}{model} — {state}</translation>
    </message>
    <message>
        <source>No rig bay yet: bind a rig&apos;s port to a bay first (Ctrl+Shift+P)</source>
        <translation>Aucune baie de banc pour l&apos;instant : associez d&apos;abord le port d&apos;un banc à une baie (Ctrl+Maj+P)</translation>
    </message>
    <message>
        <source>Scan the label of the unit on the rig first</source>
        <translation>Scannez d&apos;abord l&apos;étiquette de l&apos;unité posée sur le banc</translation>
    </message>
    <message>
        <source>Choose a test plan first</source>
        <translation>Choisissez d&apos;abord un plan de test</translation>
    </message>
    <message>
        <source>Rig bay {bay}: connecting the rigs for {name}…</source>
        <translation>Baie de banc {bay} : connexion des bancs pour {name}…</translation>
    </message>
    <message>
        <source>Rig bay {bay}: cancelling — the outputs are switched off first</source>
        <translation>Baie de banc {bay} : annulation — les sorties sont d&apos;abord coupées</translation>
    </message>
    <message>
        <source>Rig bay {bay}: testing {label}</source>
        <translation>Baie de banc {bay} : test de {label}</translation>
    </message>
    <message>
        <source>Rig bay {bay}, {name}: {message}</source>
        <translation>Baie de banc {bay}, {name} : {message}</translation>
    </message>
    <message>
        <source>Rig bay {bay} asks: {question}</source>
        <translation>La baie de banc {bay} demande : {question}</translation>
    </message>
    <message>
        <source>Rig bay {bay}: answered {upper}</source>
        <translation>Baie de banc {bay} : réponse {upper}</translation>
    </message>
    <message>
        <source>Still identifying the last port — try again in a moment</source>
        <translation>Identification du dernier port en cours — réessayez dans un instant</translation>
    </message>
    <message>
        <source>Identifying the rig on {port}…</source>
        <translation>Identification du banc sur {port}…</translation>
    </message>
    <message>
        <source>{problem} — not bound; choose its protocol to bind it anyway</source>
        <translation>{problem} — non associé ; choisissez son protocole pour l&apos;associer malgré tout</translation>
    </message>
    <message>
        <source>Rig bay {bay}: {role} is {port} — {what}</source>
        <translation>Baie de banc {bay} : {role} est {port} — {what}</translation>
    </message>
    <message>
        <source>Unbind rig</source>
        <translation>Dissocier le banc</translation>
    </message>
    <message>
        <source>Unbind {role} ({port}) from rig bay {bay}?</source>
        <translation>Dissocier {role} ({port}) de la baie de banc {bay} ?</translation>
    </message>
    <message>
        <source>Identifying the rigs failed: {error}</source>
        <translation>L&apos;identification des bancs a échoué : {error}</translation>
    </message>
</context>
<context>
    <name>Role</name>
    <message>
        <source>technician</source>
        <translation>technicien</translation>
    </message>
    <message>
        <source>supervisor</source>
        <translation>superviseur</translation>
    </message>
    <message>
        <source>admin</source>
        <translation>administrateur</translation>
    </message>
</context>
<context>
    <name>ScannerPortsPart</name>
    <message>
        <source>The {names_for} sent a bad scan: {message} — scan it again</source>
        <translation>Le {names_for} a envoyé un scan erroné : {message} — scannez à nouveau</translation>
    </message>
</context>
<context>
    <name>ScannerPortsRow</name>
    <message>
        <source>serial scanner: /dev/serial/by-id/… (empty: none)</source>
        <translation>scanner série : /dev/serial/by-id/… (vide : aucun)</translation>
    </message>
    <message>
        <source>{baud} baud</source>
        <translation>{baud} bauds</translation>
    </message>
    <message>
        <source>HID scanner to grab: /dev/input/by-id/…-event-kbd (empty: no grab)</source>
        <translation>scanner HID à capturer : /dev/input/by-id/…-event-kbd (vide : pas de capture)</translation>
    </message>
</context>
<context>
    <name>ScopePicker</name>
    <message>
        <source>This bench</source>
        <translation>Ce poste</translation>
    </message>
    <message>
        <source>All benches (hub)</source>
        <translation>Tous les postes (hub)</translation>
    </message>
    <message>
        <source>Whose figures</source>
        <translation>Chiffres de qui</translation>
    </message>
    <message>
        <source>Figures fro&amp;m:</source>
        <translation>Chiffres &amp;de :</translation>
    </message>
    <message>
        <source>Toda&amp;y</source>
        <translation>Aujourd&apos;hu&amp;i</translation>
    </message>
    <message>
        <source>&amp;Week</source>
        <translation>&amp;Semaine</translation>
    </message>
    <message>
        <source>Lo&amp;t…</source>
        <translation>Lo&amp;t…</translation>
    </message>
    <message>
        <source>&amp;Customer…</source>
        <translation>&amp;Client…</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>Afficher :</translation>
    </message>
    <message>
        <source>Lot or customer</source>
        <translation>Lot ou client</translation>
    </message>
    <message>
        <source>{0} — {1}</source>
        <translation>{0} — {1}</translation>
    </message>
    <message>
        <source>No lots yet</source>
        <translation>Aucun lot pour l&apos;instant</translation>
    </message>
    <message>
        <source>No customer lots yet</source>
        <translation>Aucun lot client pour l&apos;instant</translation>
    </message>
</context>
<context>
    <name>SearchPage</name>
    <message>
        <source>IMEI, serial or asset tag (start of it), model, or lot code</source>
        <translation>IMEI, numéro de série ou numéro d&apos;inventaire (début), modèle ou code de lot</translation>
    </message>
    <message>
        <source>Any state</source>
        <translation>Tous les états</translation>
    </message>
    <message>
        <source>&amp;Find</source>
        <translation>&amp;Chercher</translation>
    </message>
    <message>
        <source>{count} unit(s)</source>
        <translation>{count} unité(s)</translation>
    </message>
    <message>
        <source> — showing the newest 200</source>
        <translation> — les 200 plus récentes sont affichées</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Station settings</source>
        <translation>Paramètres du poste</translation>
    </message>
    <message>
        <source> ms</source>
        <translation> ms</translation>
    </message>
    <message>
        <source>none (e.g. \x02 if the scanner sends STX first)</source>
        <translation>aucun (p. ex. \x02 si le scanner envoie d&apos;abord STX)</translation>
    </message>
    <message>
        <source>Start erasing drives when &amp;inserted into a mapped bay</source>
        <translation>Lancer l&apos;effacement des disques dès leur &amp;insertion dans une baie déclarée</translation>
    </message>
    <message>
        <source>Uses the method and verification chosen on the bays page</source>
        <translation>Utilise la méthode et la vérification choisies sur la page des baies</translation>
    </message>
    <message>
        <source>The system&apos;s language</source>
        <translation>La langue du système</translation>
    </message>
    <message>
        <source>Takes effect when the app is started again</source>
        <translation>Prend effet au prochain démarrage de l&apos;application</translation>
    </message>
    <message>
        <source>Station &amp;name</source>
        <translation>&amp;Nom du poste</translation>
    </message>
    <message>
        <source>Longest &amp;gap inside a scan</source>
        <translation>Plus long é&amp;cart dans un scan</translation>
    </message>
    <message>
        <source>Shortest &amp;scan</source>
        <translation>&amp;Scan le plus court</translation>
    </message>
    <message>
        <source>Scanner &amp;prefix</source>
        <translation>&amp;Préfixe du scanner</translation>
    </message>
    <message>
        <source>Scan &amp;ends with</source>
        <translation>&amp;Fin de scan</translation>
    </message>
    <message>
        <source>&amp;Badge codes start</source>
        <translation>Début des codes &amp;badge</translation>
    </message>
    <message>
        <source>&amp;Lot codes start</source>
        <translation>Début des codes &amp;lot</translation>
    </message>
    <message>
        <source>P&amp;O codes start</source>
        <translation>Début des codes bon de c&amp;ommande</translation>
    </message>
    <message>
        <source>&amp;Asset tags start</source>
        <translation>Début des numéros d&apos;&amp;inventaire</translation>
    </message>
    <message>
        <source>Drive ba&amp;ys</source>
        <translation>&amp;Baies de disques</translation>
    </message>
    <message>
        <source>Language of the s&amp;creens</source>
        <translation>Lan&amp;gue des écrans</translation>
    </message>
    <message>
        <source>Label prin&amp;ter</source>
        <translation>Impriman&amp;te d&apos;étiquettes</translation>
    </message>
    <message>
        <source>Scanner po&amp;rts</source>
        <translation>Po&amp;rts des scanners</translation>
    </message>
    <message>
        <source>H&amp;ub</source>
        <translation>H&amp;ub</translation>
    </message>
</context>
<context>
    <name>SimulatedBench</name>
    <message>
        <source>Simulated scanner: read next code</source>
        <translation>Scanner simulé : lire le code suivant</translation>
    </message>
    <message>
        <source>&amp;Simulator</source>
        <translation>&amp;Simulateur</translation>
    </message>
    <message>
        <source>This scenario&apos;s scanner has no codes to read</source>
        <translation>Le scanner de ce scénario n&apos;a aucun code à lire</translation>
    </message>
</context>
<context>
    <name>StationAdmin</name>
    <message>
        <source>Back up the bench database</source>
        <translation>Sauvegarder la base de données du poste</translation>
    </message>
    <message>
        <source>Database backed up to {path}</source>
        <translation>Base de données sauvegardée dans {path}</translation>
    </message>
    <message>
        <source>Adding operators is for admins — ask one to log in (scan their badge)</source>
        <translation>L&apos;ajout d&apos;opérateurs est réservé aux administrateurs — demandez à l&apos;un d&apos;eux de se connecter (scan de son badge)</translation>
    </message>
    <message>
        <source>{name} added as {role} with badge {badge}</source>
        <translation>Opérateur {name} ajouté comme {role} avec le badge {badge}</translation>
    </message>
    <message>
        <source>Station settings are for supervisors — ask one to log in (scan their badge)</source>
        <translation>Les paramètres du poste sont réservés aux superviseurs — demandez à l&apos;un d&apos;eux de se connecter (scan de son badge)</translation>
    </message>
    <message>
        <source>Settings saved</source>
        <translation>Paramètres enregistrés</translation>
    </message>
</context>
<context>
    <name>SyncStatusPart</name>
    <message>
        <source>just now</source>
        <translation>à l&apos;instant</translation>
    </message>
    <message>
        <source>{minutes} min</source>
        <translation>{minutes} min</translation>
    </message>
    <message>
        <source>{hours} h</source>
        <translation>{hours} h</translation>
    </message>
    <message>
        <source>{days} days</source>
        <translation>{days} jours</translation>
    </message>
    <message>
        <source>Hub: starting…</source>
        <translation>Hub : démarrage…</translation>
    </message>
    <message>
        <source>The sync with the hub is starting</source>
        <translation>La synchronisation avec le hub démarre</translation>
    </message>
    <message>
        <source>Hub: not enrolled</source>
        <translation>Hub : non inscrit</translation>
    </message>
    <message>
        <source>This bench keeps everything here. A supervisor enrolls it with the hub in File ▸ Settings (hub address and a one-time code).</source>
        <translation>Ce poste garde tout en local. Un superviseur l&apos;inscrit auprès du hub dans Fichier ▸ Paramètres (adresse du hub et code à usage unique).</translation>
    </message>
    <message>
        <source>Hub refused this bench</source>
        <translation>Le hub a refusé ce poste</translation>
    </message>
    <message>
        <source>Hub online</source>
        <translation>Hub en ligne</translation>
    </message>
    <message>
        <source>Hub offline</source>
        <translation>Hub hors ligne</translation>
    </message>
    <message>
        <source>{pending} pending</source>
        <translation>{pending} en attente</translation>
    </message>
    <message>
        <source>, oldest {age}</source>
        <translation>, la plus ancienne : {age}</translation>
    </message>
    <message>
        <source>never synced</source>
        <translation>jamais synchronisé</translation>
    </message>
    <message>
        <source>last sync just now</source>
        <translation>dernière synchro à l&apos;instant</translation>
    </message>
    <message>
        <source>last sync {age} ago</source>
        <translation>dernière synchro il y a {age}</translation>
    </message>
    <message>
        <source>never</source>
        <translation>jamais</translation>
    </message>
    <message>
        <source>Hub: {url}</source>
        <translation>Hub : {url}</translation>
    </message>
    <message>
        <source>State: {state}</source>
        <translation>État : {state}</translation>
    </message>
    <message>
        <source>Events pending: {pending} (this bench&apos;s log ends at seq {seq}; the hub holds up to {hwm})</source>
        <translation>Événements en attente : {pending} (le journal de ce poste s&apos;arrête au n° {seq} ; le hub détient jusqu&apos;au n° {hwm})</translation>
    </message>
    <message>
        <source>Oldest pending: {when}</source>
        <translation>Plus ancien en attente : {when}</translation>
    </message>
    <message>
        <source>Last success: {when}</source>
        <translation>Dernier succès : {when}</translation>
    </message>
    <message>
        <source>Last error: {error}</source>
        <translation>Dernière erreur : {error}</translation>
    </message>
    <message>
        <source>The hub&apos;s operator list was not taken: {exc}</source>
        <translation>La liste des opérateurs du hub n&apos;a pas été reprise : {exc}</translation>
    </message>
    <message>
        <source>From the hub: {count} operator(s) can now log in here ({join})</source>
        <translation>Depuis le hub : {count} opérateur(s) peuvent désormais se connecter ici ({join})</translation>
    </message>
    <message>
        <source>Hub: sync stopped by an error — see the log</source>
        <translation>Hub : synchronisation arrêtée par une erreur — voir le journal</translation>
    </message>
</context>
<context>
    <name>UnitPage</name>
    <message>
        <source>No unit open — scan an IMEI, serial or asset tag</source>
        <translation>Aucune unité ouverte — scannez un IMEI, un numéro de série ou un numéro d&apos;inventaire</translation>
    </message>
    <message>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Détails</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>Historique</translation>
    </message>
    <message>
        <source>Model {model}</source>
        <translation>Modèle {model}</translation>
    </message>
    <message>
        <source>Lot {code}</source>
        <translation>Lot {code}</translation>
    </message>
    <message>
        <source>Unit id {unit_id}</source>
        <translation>Id. unité {unit_id}</translation>
    </message>
</context>
<context>
    <name>UnitState</name>
    <message>
        <source>received</source>
        <translation>réceptionnée</translation>
    </message>
    <message>
        <source>identified</source>
        <translation>identifiée</translation>
    </message>
    <message>
        <source>testing</source>
        <translation>en test</translation>
    </message>
    <message>
        <source>tested</source>
        <translation>testée</translation>
    </message>
    <message>
        <source>sanitising</source>
        <translation>en effacement</translation>
    </message>
    <message>
        <source>sanitised</source>
        <translation>effacée</translation>
    </message>
    <message>
        <source>graded</source>
        <translation>gradée</translation>
    </message>
    <message>
        <source>routed</source>
        <translation>orientée</translation>
    </message>
    <message>
        <source>labelled</source>
        <translation>étiquetée</translation>
    </message>
    <message>
        <source>packed</source>
        <translation>emballée</translation>
    </message>
    <message>
        <source>shipped</source>
        <translation>expédiée</translation>
    </message>
    <message>
        <source>on hold</source>
        <translation>en attente</translation>
    </message>
    <message>
        <source>quarantined</source>
        <translation>en quarantaine</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>en échec</translation>
    </message>
</context>
<context>
    <name>WorkTab</name>
    <message>
        <source>&amp;Bays</source>
        <translation>&amp;Baies</translation>
    </message>
    <message>
        <source>&amp;Grade</source>
        <translation>&amp;Grading</translation>
    </message>
    <message>
        <source>Pac&amp;k</source>
        <translation>&amp;Emballage</translation>
    </message>
    <message>
        <source>&amp;Phones</source>
        <translation>&amp;Téléphones</translation>
    </message>
    <message>
        <source>&amp;Rigs</source>
        <translation>Ba&amp;ncs de test</translation>
    </message>
    <message>
        <source>&amp;Dashboard</source>
        <translation>Tableau de bor&amp;d</translation>
    </message>
</context>
<context>
    <name>application</name>
    <message>
        <source>The database check failed: {value} — make a backup and call a supervisor</source>
        <translation>La vérification de la base de données a échoué : {value} — faites une sauvegarde et appelez un superviseur</translation>
    </message>
    <message>
        <source>Simulated bench &apos;{name}&apos;: press F9 to scan the next code; scan a badge to log in</source>
        <translation>Poste simulé « {name} » : F9 scanne le code suivant ; scannez un badge pour vous connecter</translation>
    </message>
</context>
</TS>
