package dev.clawless.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;

import dev.clawless.core.security.Actor;
import dev.clawless.core.workspace.WorkspaceCommands;
import dev.clawless.core.workspace.Workspaces;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.core.channel.ChannelHealth;
import dev.clawless.core.channel.ChannelManagement;
import dev.clawless.core.channel.ChannelRegistry;
import dev.clawless.core.channel.Deliveries;
import dev.clawless.core.channel.Pollers;
import dev.clawless.core.channel.TransferChannelTool;
import dev.clawless.core.channel.WidgetSessions;
import dev.clawless.server.api.ContextPackRoutes;
import dev.clawless.server.api.SalesRoutes;
import dev.clawless.server.api.WidgetRoutes;
import dev.clawless.server.api.WorkspaceRoutes;
import dev.clawless.server.api.AssistantRoutes;
import dev.clawless.server.api.EmbeddingRoutes;
import dev.clawless.server.api.ModelRoutes;
import dev.clawless.server.api.MarketplaceRoutes;
import dev.clawless.core.channel.Channel;
import dev.clawless.core.marketplace.Installations;
import dev.clawless.core.marketplace.Marketplace;
import dev.clawless.core.marketplace.PluginRuntime;
import dev.clawless.plugin.api.ChannelExtension;
import dev.clawless.core.conversation.DeliveryRequest;
import dev.clawless.server.api.ChannelRoutes;
import dev.clawless.server.api.HookRoutes;
import dev.clawless.core.assistant.AssistantProvider;
import dev.clawless.core.assistant.AssistantRuntime;
import dev.clawless.core.assistant.LangChainProvider;
import dev.clawless.core.assistant.RetrievalProvider;
import dev.clawless.core.assistant.TurnHandler;
import dev.clawless.core.assistant.TurnStreams;
import dev.clawless.core.conversation.EventPump;
import dev.clawless.core.conversation.AcksFirst;
import dev.clawless.core.conversation.InboundDeriver;
import dev.clawless.core.conversation.InboundLog;
import dev.clawless.core.conversation.ConversationManagement;
import dev.clawless.core.conversation.TurnRequest;
import dev.clawless.core.events.Webhooks;
import dev.clawless.core.jobs.JobQueue;
import dev.clawless.core.jobs.JobWorker;
import dev.clawless.core.common.Ids;
import dev.clawless.core.common.PrivateFiles;
import dev.clawless.core.account.Accounts;
import dev.clawless.core.account.Memberships;
import dev.clawless.core.assistant.PeopleDesk;
import dev.clawless.core.conversation.Contacts;
import dev.clawless.core.inbox.CannedResponses;
import dev.clawless.core.inbox.Inbox;
import dev.clawless.core.inbox.Labels;
import dev.clawless.core.inbox.Notes;
import dev.clawless.server.api.AccountRoutes;
import dev.clawless.server.api.ContactRoutes;
import dev.clawless.server.api.InboxRoutes;
import dev.clawless.server.api.MemberRoutes;
import dev.clawless.server.http.Json;
import dev.clawless.server.http.PersonAuth;
import dev.clawless.core.knowledge.DocumentFetcher;
import dev.clawless.core.knowledge.DocumentReader;
import dev.clawless.core.knowledge.IntentManagement;
import dev.clawless.core.knowledge.KnowledgeManagement;
import dev.clawless.core.knowledge.MiniLmEmbedder;
import dev.clawless.core.knowledge.Reembedding;
import dev.clawless.core.security.AuditLog;
import dev.clawless.core.security.SecretVault;
import dev.clawless.core.store.Database;
import dev.clawless.core.tenant.TenantManagement;
import dev.clawless.core.tool.Approvals;
import dev.clawless.core.security.NetworkGuard;
import dev.clawless.core.pack.ContextPacks;
import dev.clawless.core.sales.CrmPush;
import dev.clawless.core.sales.LeadExtraction;
import dev.clawless.core.sales.LeadCaptureFlow;
import dev.clawless.core.sales.LeadForms;
import dev.clawless.core.sales.Leads;
import dev.clawless.core.tool.ToolRegistry;
import dev.clawless.core.tool.ToolRunner;
import dev.clawless.core.tool.internal.HandoffTool;
import dev.clawless.core.tool.internal.HttpRequestTool;
import dev.clawless.core.tool.internal.KnowledgeSearchTool;
import dev.clawless.core.tool.internal.SessionsListTool;
import dev.clawless.core.tool.internal.SessionsSendTool;
import dev.clawless.core.usage.InMemoryRateLimiter;
import dev.clawless.core.usage.RateLimiter;
import dev.clawless.server.cluster.NodeBus;
import dev.clawless.server.cluster.Redis;
import dev.clawless.server.cluster.SharedRateLimiter;
import dev.clawless.core.usage.UsageMeter;
import dev.clawless.core.backup.Backups;
import dev.clawless.server.api.AdminRoutes;
import dev.clawless.server.api.BackupRoutes;
import dev.clawless.server.api.ApprovalRoutes;
import dev.clawless.server.api.ChatCompletionsRoutes;
import dev.clawless.server.api.ConversationRoutes;
import dev.clawless.server.api.InstallationRoutes;
import dev.clawless.server.web.ConsoleAssets;
import dev.clawless.server.web.DemoSite;
import dev.clawless.server.web.WidgetAssets;
import dev.clawless.server.api.IntentRoutes;
import dev.clawless.server.api.KnowledgeRoutes;
import dev.clawless.server.api.OpsRoutes;
import dev.clawless.server.api.SessionRoutes;
import dev.clawless.server.api.SystemRoutes;
import dev.clawless.server.api.TenantRoutes;
import dev.clawless.server.api.UsageRoutes;
import dev.clawless.server.api.ReportRoutes;
import dev.clawless.core.report.Reports;
import dev.clawless.server.api.WebhookRoutes;
import dev.clawless.server.config.HubConfig;
import dev.clawless.server.http.Bodies;
import dev.clawless.server.http.ClientAddress;
import dev.clawless.server.http.Problems;
import dev.clawless.server.http.RequestFilter;
import dev.clawless.server.http.Routes;
import dev.clawless.server.logging.Logging;
import dev.clawless.server.observe.HubMetrics;
import dev.clawless.core.common.Instruments;
import dev.clawless.server.observe.HubTracing;
import dev.clawless.server.observe.JobQueueMeters;
import dev.clawless.server.transcripts.MongoTranscripts;
import dev.clawless.core.conversation.TranscriptOutbox;

/**
 * A running hub: database, modules, routes and the HTTP server, wired in plain code. {@link #start} returns once the
 * server accepts connections; {@link #close} stops it and releases the database.
 */
public final class Hub implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Hub.class.getName());

    private final HubConfig config;
    private final Database database;
    private final WebServer server;
    private final AdminToken adminToken;
    private final Routes routes;
    private final JobWorker worker;
    private final Pollers pollers;
    private final EventPump pump;
    private final InboundLog inbound;
    private final InboundDeriver deriver;
    private final Installations installations;
    private final Optional<Redis> redis;
    private final Optional<NodeBus> bus;

    private final Optional<String> setupLink;
    private final CompletableFuture<Void> demo;
    private final Reembedding reembedding;
    private final Backups backups;
    private final AutoCloseable metrics;

    private Hub(HubConfig config, Database database, WebServer server, AdminToken adminToken, Routes routes,
                JobWorker worker, Pollers pollers, EventPump pump, InboundLog inbound, InboundDeriver deriver,
                Installations installations, Optional<Redis> redis, Optional<NodeBus> bus,
                Optional<String> setupLink, CompletableFuture<Void> demo, Reembedding reembedding, Backups backups,
                AutoCloseable metrics) {
        this.demo = demo;
        this.reembedding = reembedding;
        this.backups = backups;
        this.metrics = metrics;
        this.pump = pump;
        this.inbound = inbound;
        this.deriver = deriver;
        this.redis = redis;
        this.bus = bus;
        this.setupLink = setupLink;
        this.pollers = pollers;
        this.installations = installations;
        this.config = config;
        this.database = database;
        this.server = server;
        this.adminToken = adminToken;
        this.routes = routes;
        this.worker = worker;
    }

    /** The hub's version, from its jar's manifest ("development" when run from classes). */
    public static String version() {
        return Optional.ofNullable(Hub.class.getPackage().getImplementationVersion()).orElse("development");
    }

    /** Opens the database (migrating it), wires the modules and starts serving. */
    public static Hub start(HubConfig config) {
        Logging.guardSecrets();
        // nothing in the data folder is for other users of the machine; an install from before this rule is fixed
        int loosened = PrivateFiles.secure(config.dataDir());
        if (loosened > 0) {
            LOG.warning(() -> "the data folder " + config.dataDir() + " had " + loosened + " files or folders other"
                    + " users could read; they are now owner-only (0700/0600)");
        }
        PrivateFiles.folder(config.dataDir());
        AdminToken adminToken = AdminToken.resolve(config.adminToken(), config.dataDir());
        Clock clock = Clock.systemUTC();
        java.time.Instant startedAt = clock.instant();
        Database database = Database.open(config.db());
        PrivateFiles.secure(config.dataDir()); // the embedded database's files, created just now
        AutoCloseable closeOnFailure = () -> { };
        AtomicReference<WebServer> serverRef = new AtomicReference<>();
        // the Redis the nodes share, if configured; a Redis that does not answer yet does not stop the start
        Optional<Redis> redis = Optional.empty();
        try {
            redis = config.redis().map(Redis::new);
            Ids ids = new Ids(clock);
            AuditLog audit = new AuditLog(database, clock);
            TenantManagement tenants = new TenantManagement(database, audit, config.tenants(), clock, ids);
            HubMetrics metrics = new HubMetrics();
            HubTracing tracing = HubTracing.of(config.tracingEndpoint(), version());
            RateLimiter rateLimiter = redis.<RateLimiter>map(r -> new SharedRateLimiter(r, new InMemoryRateLimiter()))
                    .orElseGet(InMemoryRateLimiter::new);
            UsageMeter usage = new UsageMeter(database, config.prices(), rateLimiter, clock);
            Bodies bodies = new Bodies(config.maxBodySize());

            Routes routes = new Routes();
            OpsRoutes ops = new OpsRoutes(database, metrics);
            redis.ifPresent(r -> ops.redis(r::up));
            ops.register(routes);
            new AdminRoutes(tenants, audit, bodies, clock).register(routes);
            Backups backups = new Backups(database, config.marketplace().store(), config.dataDir(), config.backup(),
                    version(), clock);
            new BackupRoutes(backups, database, audit).register(routes);
            new TenantRoutes(tenants, bodies, clock).register(routes);
            MiniLmEmbedder embedder = new MiniLmEmbedder();
            new EmbeddingRoutes(embedder, bodies).register(routes);
            KnowledgeManagement knowledge = new KnowledgeManagement(database, embedder, config.knowledge(), clock, ids);
            NetworkGuard guard = NetworkGuard.system(config.tools().allowPrivateAddresses());
            new KnowledgeRoutes(knowledge, bodies, new DocumentReader(config.knowledge()),
                    new DocumentFetcher(guard, config.knowledge().maxFileBytes())).register(routes);
            IntentManagement intents = new IntentManagement(database, embedder, config.intentThreshold(), clock, ids);
            new IntentRoutes(intents, bodies).register(routes);
            List<AssistantProvider> providers = new ArrayList<>();
            providers.add(new RetrievalProvider(knowledge, config.retrievalThreshold()));
            for (LangChainProvider.Settings s : config.providers()) {
                providers.add(switch (s.name()) {
                    case "anthropic" -> LangChainProvider.anthropic(s);
                    case "ollama" -> LangChainProvider.ollama(s);
                    default -> LangChainProvider.openAi(s);
                });
            }
            AssistantRuntime assistant = new AssistantRuntime(providers, config.fallback(), config.routing());
            new AssistantRoutes(assistant.providers(), config.providers(), config.routing()).register(routes);
            new ModelRoutes(assistant.providers(), config.providers(), startedAt).register(routes);
            JobQueue jobs = new JobQueue(database, config.jobs(), clock);
            ConversationManagement conversations = new ConversationManagement(database, jobs, clock, ids, intents);
            // with a transcript store, every event is queued for it in its own transaction
            conversations.transcripts(config.transcriptsMongoUri().isPresent());
            TurnStreams turns = new TurnStreams();
            // this node's one reader of new events for every open stream
            EventPump pump = new EventPump(database);
            SecretVault vault = new SecretVault(MasterKey.resolve(config.masterKey(), config.dataDir()));
            Webhooks webhooks = new Webhooks(database, jobs, guard, vault, clock, ids);
            conversations.eventSink(webhooks);
            conversations.deliveryAttempts(config.channels().deliveryAttempts());
            AtomicReference<JobWorker> workerRef = new AtomicReference<>();
            Supplier<String> base = () -> config.publicBaseUrl().orElseGet(() -> "http://localhost:"
                    + serverRef.get().port());
            ops.landing(base, config.dataDir(), adminToken.file());
            Marketplace marketplace = new Marketplace(database, audit, config.marketplace(), clock);
            Installations installations = new Installations(database, marketplace, new PluginRuntime(
                    config.marketplace().store(), config.marketplace().loadTimeout(), config.marketplace().sandbox(),
                    guard), vault, audit, guard, clock, ids);
            closeOnFailure = installations;
            ChannelRegistry channelTypes = new ChannelRegistry(BuiltInChannels.all());
            channelTypes.plugins(new ChannelRegistry.PluginChannels() {
                @Override
                public Optional<ChannelExtension> channel(String tenantId, String type) {
                    return installations.channel(tenantId, type);
                }

                @Override
                public List<String> types(String tenantId) {
                    return installations.channelTypes(tenantId);
                }
            });
            // what channels receive is stored in the inbound log (group commit) and derived into messages after
            // a burst of webhooks is acknowledged first; deriving it and the jobs it makes wait (bounded)
            AcksFirst acksFirst = new AcksFirst(config.channels().acksFirst(), System::nanoTime);
            InboundDeriver deriver = new InboundDeriver(database, conversations, clock, () -> {
                JobWorker w = workerRef.get();
                if (w != null) {
                    w.wake();
                }
            }, acksFirst);
            InboundLog inbound = new InboundLog(database, clock, deriver::wake, acksFirst);
            ChannelManagement channels = new ChannelManagement(database, channelTypes,
                    conversations, vault, audit, guard, usage, config.channels(), base,
                    () -> workerRef.get().wake(), clock, ids, inbound);
            // people: accounts, memberships, the inbox
            Accounts accounts = new Accounts(database, audit, vault, rateLimiter, config.mail()
                    .<dev.clawless.core.account.Mailer>map(SmtpMailer::new)
                    .orElse(dev.clawless.core.account.Mailer.NONE), config.accounts(), () -> base.get() + "/console",
                    clock, ids);
            Memberships memberships = new Memberships(accounts);
            Inbox inbox = new Inbox(database, conversations, memberships, audit, clock, ids);
            inbox.typingIndicator(channels::typing);
            Contacts contacts = new Contacts(database, audit, clock);
            Workspaces workspaces = new Workspaces(config.dataDir().resolve("workspaces"),
                    config.dataDir().resolve("run").resolve("workspaces"), config.tools().workspace(), guard,
                    tenantId -> tenants.get(tenantId).settings().workspace(),
                    (tenantId, conversationId, tool, detail, outcome) -> database.inTransaction(tx -> {
                        audit.record(tx, new Actor("assistant", conversationId), Optional.of(tenantId),
                                "workspace.command", Optional.of(conversationId), Map.of("tool", tool, "command",
                                        detail, "outcome", outcome));
                        return null;
                    }));
            ToolRegistry tools = new ToolRegistry(List.of(new KnowledgeSearchTool(knowledge),
                    new HandoffTool(inbox::handOff), new HttpRequestTool(config.tools().httpAllowedUrls()),
                    new SessionsListTool(conversations), new SessionsSendTool(conversations),
                    new TransferChannelTool(channels)), tenantId -> {
                        List<ToolExtension> offered = new ArrayList<>(workspaces.tools(tenantId));
                        offered.addAll(installations.tools(tenantId));
                        return offered;
                    });
            Set<String> reservedTools = new HashSet<>(tools.builtInNames());
            reservedTools.addAll(Workspaces.TOOL_NAMES);
            installations.reserve(reservedTools, channelTypes.builtInTypes());
            installations.connectionsOfType((tenantId, type) -> channels.list(tenantId).stream()
                    .filter(c -> c.type().equals(type)).map(Channel::id).toList());
            installations.start(config.marketplace().syncInterval());
            Approvals approvals = new Approvals(database, jobs, audit, clock, ids);
            ToolRunner toolRunner = new ToolRunner(database, config.tools().timeout(), clock);
            TurnHandler turnHandler = new TurnHandler(conversations, tenants, assistant, turns, usage, tools,
                    toolRunner, approvals, guard, knowledge, jobs,
                    config.turns());
            turnHandler.onTurnStarted(channels::typing);
            // a quarter of the node's job workers at most (a tenant half of that): long builds never starve turns
            WorkspaceCommands workspaceCommands = new WorkspaceCommands(database, jobs, workspaces, clock, ids,
                    workerName(), Math.max(1, config.jobs().workers() / 4), (tenantId, conversationId) -> {
                        try {
                            return conversations.get(tenantId, conversationId).status()
                                    == dev.clawless.core.conversation.ConversationStatus.BOT;
                        } catch (dev.clawless.core.common.ClawlessException.NotFound gone) {
                            return false;
                        }
                    });
            workspaceCommands.listener(new WorkspaceEvents(conversations, turns));
            turnHandler.workspaceCommands(workspaceCommands);
            turnHandler.peopleDesk(new PeopleDesk() {
                @Override
                public String handOff(String tenantId, String conversationId, String reason) {
                    return inbox.handOff(tenantId, conversationId, reason);
                }

                @Override
                public String contactMessage(String tenantId) {
                    return inbox.contactMessage(tenantId, clock.instant());
                }

                @Override
                public Optional<String> answerToPeople(String tenantId, dev.clawless.core.conversation.Conversation c,
                                                       dev.clawless.core.conversation.Message inbound) {
                    return inbox.captureRating(tenantId, c, inbound);
                }
            });
            // the sales mode: lead forms filled during turns, pushed to a CRM plugin's tool by the crm_push job
            LeadForms leadForms = new LeadForms(database, channels, tools.builtInNames(), audit, clock);
            Leads leads = new Leads(database, conversations, leadForms, jobs, audit, clock);
            contacts.onMerge(leads::contactsMerged);
            turnHandler.leadCapture(new LeadCaptureFlow(database, leadForms, leads, conversations, contacts, channels,
                    jobs, new LeadExtraction(assistant, usage), clock, ids));
            // the model knows until when it may write on a channel with a reply window (one read, only there)
            turnHandler.channelContext((tenantId, c) -> channels.registry().find(tenantId, c.channelType())
                    .flatMap(dev.clawless.plugin.api.ChannelExtension::replyWindow)
                    .map(w -> ChannelWindowNote.of(channels.replyWindow(tenantId, c), c.channelType(), clock.instant()))
                    .orElse(""));
            CrmPush crmPush = new CrmPush(leads, leadForms, conversations, tools, toolRunner, guard,
                    java.time.Duration.ofSeconds(2), clock);
            approvals.onDecided(a -> conversations.publish(a.tenantId(), a.conversationId(),
                    "approval.decided", Json.object().put("approval_id", a.id()).put("status", a.status())
                            .put("tool", a.tool()).toString()));
            Deliveries deliveries = new Deliveries(channels, conversations);
            metrics.counter("clawless.db.statements", "Statements this node sent to the database since it"
                    + " started (what idle streams and pollers cost shows here).", database, Database::statements);
            metrics.counter("clawless.deliveries.uncertain", "Message parts sent again after an attempt whose"
                    + " outcome was unknown (possible duplicates on the platform), since this node started.",
                    deliveries, Deliveries::uncertainSends);
            Instruments instruments = new Instruments(metrics.meters(), tracing.tracer());
            deliveries.instruments(instruments);
            webhooks.instruments(instruments);
            assistant.instruments(instruments);
            database.bindMetrics(metrics.meters().registry());
            Pollers pollers = new Pollers(channels, workerName(), clock);
            Map<String, dev.clawless.core.jobs.JobHandler> handlers = Map.of(TurnRequest.JOB_KIND, turnHandler,
                    Approvals.RESUME_JOB, turnHandler, TurnHandler.SUMMARY_JOB, turnHandler, Webhooks.JOB_KIND, webhooks,
                    DeliveryRequest.JOB_KIND, deliveries, WorkspaceCommands.JOB, workspaceCommands,
                    WorkspaceCommands.RESUME_JOB, turnHandler, CrmPush.JOB, crmPush);
            JobWorker worker = new JobWorker(jobs, handlers, workerName());
            worker.gate(acksFirst);
            worker.instruments(instruments);
            workerRef.set(worker);
            JobQueueMeters queueMeters = new JobQueueMeters(jobs, handlers.keySet(), metrics.meters().registry());
            new ChannelRoutes(channels, new ChannelHealth(channels, jobs, audit), bodies)
                    .register(routes);
            WidgetSessions widget = new WidgetSessions(channels, conversations, tenants, usage,
                    vault.derive("widget-session-tokens"), config.channels().widgetMessagesPerMinute(), clock, ids);
            new WidgetRoutes(widget, conversations, turns, pump, usage, bodies,
                    config.channels().widgetSessionsPerMinute()).register(routes);
            new HookRoutes(channels, bodies, base).register(routes);
            WidgetAssets widgetAssets = new WidgetAssets();
            widgetAssets.register(routes);
            new ConsoleAssets().register(routes);
            new MarketplaceRoutes(marketplace, installations::counts, bodies).register(routes);
            new SystemRoutes(database, jobs, deriver, marketplace, installations::counts, startedAt, clock)
                    .redis(redis).register(routes);
            new InstallationRoutes(installations, bodies).register(routes);
            new WebhookRoutes(webhooks, bodies).register(routes);
            new ApprovalRoutes(approvals, worker::wake, bodies).register(routes);
            new WorkspaceRoutes(conversations, workspaceCommands).register(routes);
            new ChatCompletionsRoutes(assistant, conversations, turns, worker::wake, usage, tenants, bodies, clock)
                    .register(routes);
            new UsageRoutes(usage, tenants, leads).register(routes);
            new SalesRoutes(leadForms, leads, bodies).register(routes);
            new ContextPackRoutes(new ContextPacks(tenants, knowledge, intents, leadForms, channels,
                    (tenantId, tool) -> tools.find(tenantId, tool).isPresent(), clock), bodies)
                    .register(routes);
            new ReportRoutes(new Reports(database), usage, tenants, clock).register(routes);
            new SessionRoutes(conversations, bodies).register(routes);
            new ConversationRoutes(conversations, turns, pump, bodies, channels).inbox(inbox).register(routes);
            PersonAuth people = new PersonAuth(accounts, memberships, tenants,
                    config.publicBaseUrl().map(u -> u.startsWith("https:")).orElse(false),
                    config.accounts().sessionLifetime());
            new AccountRoutes(accounts, memberships, people, bodies).register(routes);
            new MemberRoutes(memberships, inbox::openCounts, bodies).register(routes);
            new InboxRoutes(inbox, new Labels(database, conversations, audit, clock), new Notes(database,
                    conversations, clock, ids), new CannedResponses(database, audit, clock, ids), conversations,
                    channels, approvals, accounts, contacts, bodies, pump).register(routes);
            new ContactRoutes(contacts, bodies, leads::crmRecords).register(routes);

            Optional<NodeBus> bus = redis.map(r -> nodeBus(r, turns, pump, channels, installations));
            // events committed on this node wake its pump at once (and, with Redis, the other nodes' pumps)
            Runnable eventsCommitted = bus.<Runnable>map(b -> () -> {
                pump.wake();
                b.eventsWritten();
            }).orElse(pump::wake);
            conversations.onEventsCommitted(eventsCommitted);
            bus.ifPresent(b -> {
                turns.relay(b::delta);
                channels.onEvicted(b::connectionChanged);
                installations.onChanged(b::installationChanged);
            });
            pump.start();
            inbound.start();
            deriver.start();
            AutoCloseable beforePump = closeOnFailure;
            closeOnFailure = () -> {
                inbound.close();
                deriver.close();
                bus.ifPresent(NodeBus::close);
                pump.close();
                beforePump.close();
            };
            RequestFilter filter = new RequestFilter(tenants, usage, adminToken.value(), metrics, routes,
                    config.accessLog(), config.keyRequestsPerMinute());
            filter.clients(ClientAddress.trusting(config.trustedProxies()));
            if (tracing.enabled()) {
                filter.tracing(tracing.tracer());
            }
            filter.people(people, config.accounts().requestsPerMinute());
            HttpRouting.Builder routing = HttpRouting.builder()
                    .addFilter(filter)
                    .error(Throwable.class, Problems::send);
            routes.registerInto(routing);

            WebServer server = WebServer.builder()
                    .host(config.host())
                    .port(config.port())
                    .shutdownHook(false)
                    .shutdownGracePeriod(config.shutdownGrace())
                    // uploads of plugin JARs and knowledge files may be larger than other bodies; every route
                    // enforces its own limit
                    .maxPayloadSize(Math.max(config.maxBodySize(), Math.max(config.marketplace().maxUploadBytes(),
                            KnowledgeRoutes.uploadLimit(config.knowledge()))))
                    .directHandlers(d -> d.defaults(io.helidon.webserver.http.DirectHandlers.builder().build())
                            .addHandler(io.helidon.http.DirectHandler.EventType.BAD_REQUEST, Problems.directHandler())
                            .addHandler(io.helidon.http.DirectHandler.EventType.PAYLOAD_TOO_LARGE,
                                    Problems.directHandler())
                            .addHandler(io.helidon.http.DirectHandler.EventType.FORBIDDEN, Problems.directHandler())
                            .addHandler(io.helidon.http.DirectHandler.EventType.INTERNAL_ERROR,
                                    Problems.directHandler())
                            .addHandler(io.helidon.http.DirectHandler.EventType.OTHER, Problems.directHandler()))
                    .routing(routing)
                    .build()
                    .start();
            LOG.info(() -> "Clawless hub listening on port " + server.port() + " (database: "
                    + config.db().safeUrl() + ")");
            serverRef.set(server);
            // the demo's FAQ is embedded when first provisioned, which loads the embedding model (about a quarter
            // of a second): not on the way to ready. Until it is there, / shows the landing page.
            CompletableFuture<Void> demo = CompletableFuture.completedFuture(null);
            if (config.demo()) {
                demo = CompletableFuture.runAsync(() -> ops.home(DemoSite.provision(config.dataDir(),
                                demoOrigins(config, server.port()), tenants, knowledge, channels,
                                widgetAssets.versionedPath())::serve),
                        task -> Thread.ofPlatform().daemon().name("clawless-demo").start(task));
                demo.exceptionally(e -> {
                    LOG.log(Level.SEVERE, "the demo could not be provisioned; / shows the landing page", e);
                    return null;
                });
            }
            worker.start();
            pollers.start();
            // vectors stored by another embedding model (before an upgrade) are computed again, off the way to ready
            Reembedding reembedding = new Reembedding(database, embedder);
            reembedding.start();
            backups.start();
            queueMeters.start();
            Optional<MongoTranscripts> transcripts = config.transcriptsMongoUri().map(uri -> {
                TranscriptOutbox outbox = new TranscriptOutbox(database);
                MongoTranscripts store = new MongoTranscripts(uri, outbox);
                metrics.gauge("clawless.transcripts.backlog", "Conversation events waiting to be copied to the"
                        + " transcript store", () -> store.backlog());
                store.start();
                return store;
            });
            Optional<String> setupLink = accounts.issueSetupLink().map(l -> base.get() + "/console#/setup?token="
                    + l.token());
            return new Hub(config, database, server, adminToken, routes, worker, pollers, pump, inbound, deriver,
                    installations, redis, bus, setupLink, demo, reembedding, backups, () -> {
                        workspaces.close();
                        transcripts.ifPresent(MongoTranscripts::close);
                        queueMeters.close();
                        metrics.close();
                        tracing.close();
                    });
        } catch (RuntimeException | Error e) {
            // a failure after the server started must not leave it serving
            WebServer started = serverRef.get();
            if (started != null) {
                started.stop();
            }
            try {
                closeOnFailure.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            redis.ifPresent(Redis::close);
            database.close();
            throw e;
        }
    }

    /** This node's messages to and from the other nodes, wired to what they concern. */
    private static NodeBus nodeBus(Redis redis, TurnStreams turns, EventPump pump, ChannelManagement channels,
                                   Installations installations) {
        return new NodeBus(redis, new NodeBus.Receiver() {
            @Override
            public void delta(String conversationId, String messageId, String text) {
                turns.remoteDelta(conversationId, messageId, text);
            }

            @Override
            public void eventsWritten() {
                pump.wake();
            }

            @Override
            public void connectionChanged(String connectionId) {
                channels.changedElsewhere(connectionId);
            }

            @Override
            public void installationChanged(String installationId) {
                installations.changedElsewhere(installationId);
            }
        });
    }

    /** Where a browser may load the demo page from: this hub's own addresses. */
    private static List<String> demoOrigins(HubConfig config, int port) {
        List<String> origins = new ArrayList<>();
        config.publicBaseUrl().map(u -> java.net.URI.create(u)).ifPresent(u -> origins.add(u.getScheme() + "://"
                + u.getRawAuthority()));
        origins.add("http://localhost:" + port);
        origins.add("http://127.0.0.1:" + port);
        return origins;
    }

    /** The port the server listens on (the chosen one when configured as 0). */
    public int port() {
        return server.port();
    }

    /** Where to reach the hub: the configured public base URL, else {@code http://localhost:<port>}. */
    public String baseUrl() {
        return config.publicBaseUrl().orElse("http://localhost:" + port());
    }

    public AdminToken adminToken() {
        return adminToken;
    }

    /**
     * The one-time link for creating the first platform admin in the console, when there is none yet (a new one each
     * start; earlier ones stop working).
     */
    public Optional<String> setupLink() {
        return setupLink;
    }

    /** The route table, for checking the OpenAPI document against it. */
    public Routes routes() {
        return routes;
    }

    /** The tenants' plugin installations (and through them the loaded plugin versions). */
    public Installations installations() {
        return installations;
    }

    /** This node's deriver of inbound events into messages. */
    public InboundDeriver inboundDeriver() {
        return deriver;
    }

    /** This node's reader of new conversation events for its streams. */
    public EventPump eventPump() {
        return pump;
    }

    public Database database() {
        return database;
    }

    public HubConfig config() {
        return config;
    }

    /** The Redis the nodes share, when configured. */
    public Optional<Redis> redis() {
        return redis;
    }

    /** This node's messages to and from the other nodes, when Redis is configured. */
    public Optional<NodeBus> bus() {
        return bus;
    }

    /**
     * Completes when the demo (tenant, FAQ, web chat connection, the page at /) is provisioned, at once when the
     * demo is off; exceptionally when provisioning failed (the hub serves on without it).
     */
    public CompletableFuture<Void> demoProvisioned() {
        return demo.copy();
    }

    /**
     * Stops accepting requests and jobs, lets in-flight requests and jobs finish within the shutdown grace — one
     * grace for all of it, never more — then closes the database. Jobs still running are abandoned: their leases run
     * out and another node or the next start runs them again.
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        try {
            // nothing waits before the server stops: it may use the whole grace on in-flight requests
            worker.stopClaiming();
            pollers.interrupt();
            server.stop();
            installations.close();
            worker.stop(left(deadline));
            pollers.await(left(deadline));
            awaitDemo(left(deadline));
            reembedding.stop(left(deadline)); // between two texts; the rest at the next start
            backups.close(); // a scheduled backup being written stops, and leaves only its hidden partial file
        } finally {
            inbound.close();
            deriver.close();
            bus.ifPresent(NodeBus::close);
            pump.close();
            redis.ifPresent(Redis::close);
            try {
                metrics.close();
            } catch (Exception e) {
                LOG.log(Level.FINE, "closing the meters", e);
            }
            database.close();
        }
    }

    /** A demo still being provisioned uses the database; it is not cut off mid-way unless the grace runs out. */
    private void awaitDemo(java.time.Duration grace) {
        try {
            demo.get(grace.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // logged where it failed; a provisioning past the grace ends with the database
        }
    }

    private static java.time.Duration left(long deadline) {
        return java.time.Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    /** This process's name in job leases: host and process id. */
    private static String workerName() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "localhost";
        }
        return host + "/" + ProcessHandle.current().pid();
    }
}
