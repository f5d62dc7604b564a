package dev.clawless.core.workspace;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.clawless.core.TestTurnContext;
import dev.clawless.core.security.NetworkGuard;
import dev.clawless.core.tenant.WorkspaceSettings;
import dev.clawless.plugin.api.ToolCall;
import dev.clawless.plugin.api.ToolExtension;
import dev.clawless.plugin.api.ToolResult;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Workspaces for real, under bubblewrap: the shell keeps its state between commands, the tools work inside the
 * sandbox, and every way out — mounts, nested namespaces, setuid, writing outside, the host's processes, the network,
 * filling the disk, a fork bomb, a command that never ends — is refused or contained, and recorded.
 */
class WorkspacesTest {

    @TempDir
    Path data;
    private Workspaces workspaces;
    private final List<String> records = Collections.synchronizedList(new ArrayList<>());
    private WorkspaceSettings settings = new WorkspaceSettings(true, List.of());

    @BeforeAll
    static void bubblewrap() {
        boolean present = Files.isExecutable(Path.of("/usr/bin/bwrap"));
        if (!present && "1".equals(System.getenv("CLAWLESS_REQUIRE_SANDBOX"))) {
            throw new IllegalStateException("CLAWLESS_REQUIRE_SANDBOX=1 but bubblewrap is missing");
        }
        Assumptions.assumeTrue(present, "bubblewrap is not installed");
    }

    private void start(Duration timeout, long diskBytes) {
        WorkspaceLimits limits = new WorkspaceLimits(true, Path.of("/usr/bin/bwrap"), 256, 1, 64, diskBytes, timeout,
                20_000, Duration.ofMinutes(30));
        workspaces = new Workspaces(data.resolve("workspaces"), data.resolve("run"), limits, NetworkGuard.system(true),
                tenant -> settings, (tenant, conversation, tool, detail, outcome) -> records.add(tenant + " "
                + conversation + " " + tool + " " + detail + " → " + outcome));
    }

    @AfterEach
    void stop() {
        if (workspaces != null) {
            workspaces.close();
        }
    }

    private ToolResult tool(String name, String args) {
        ToolExtension t = workspaces.tools("ten_1").stream().filter(x -> x.spec().name().equals(name)).findFirst()
                .orElseThrow();
        return t.invoke(new ToolCall("c", name, args), new TestTurnContext("ten_1", Optional.of("cnv_1"), Map.of()));
    }

    private ToolResult shell(String command) {
        return tool("workspace_shell", "{\"command\":" + quoted(command) + "}");
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    @Test
    void theShellKeepsItsStateAndTheFilesStay() {
        start(Duration.ofSeconds(30), 64L << 20);
        assertEquals("exit 0\n", shell("mkdir -p src && cd src && export GREETING=hola && f() { echo \"f:$1\"; }")
                .content());
        ToolResult r = shell("pwd; echo $GREETING; f x; id -u; hostname");
        assertEquals("exit 0\n/workspace/src\nhola\nf:x\n1000\nworkspace", r.content());
        assertFalse(tool("workspace_write", "{\"path\":\"notes/a b.txt\",\"content\":\"línea 1\\n'quoted'\"}").error());
        assertEquals("línea 1\n'quoted'", tool("workspace_read", "{\"path\":\"/workspace/notes/a b.txt\"}").content());
        assertTrue(tool("workspace_list", "{\"path\":\"notes\"}").content().contains("a b.txt"));
        assertTrue(Files.exists(workspaces.folder("ten_1", "cnv_1").resolve("notes/a b.txt")));
        assertEquals("exit 3\n", shell("(exit 3)").content());
        assertTrue(records.stream().anyMatch(l -> l.contains("workspace_shell pwd; echo $GREETING") && l.endsWith(
                "exit 0")), records.toString());
        assertTrue(records.stream().anyMatch(l -> l.contains("workspace_write /workspace/notes/a b.txt (")), records.toString());
    }

    @Test
    void escapesAreRefusedAndTheHostIsOutOfSight() {
        start(Duration.ofSeconds(30), 64L << 20);
        ToolResult r = shell("mount -t tmpfs none /tmp 2>&1; echo mount=$?;"
                + " unshare -r true 2>&1; echo unshare=$?;"
                + " echo x > /usr/evil 2>&1; echo usr=$?;"
                + " echo x > /evil 2>&1; echo root=$?;"
                + " su -c id root </dev/null 2>&1; echo su=$?;"
                + " cat /etc/shadow 2>&1; echo shadow=$?;"
                + " ls /root 2>&1; echo home=$?;"
                + " ls " + data + " 2>&1; echo data=$?;"
                + " kill -0 " + ProcessHandle.current().pid() + " 2>&1; echo hub=$?;"
                + " ls /proc | grep -c '^[0-9]'; "
                + " (exec 3<>/dev/tcp/127.0.0.1/22) 2>&1; echo net=$?");
        String out = r.content();
        for (String attempt : List.of("mount", "unshare", "usr", "root", "su", "shadow", "home", "data", "hub", "net")) {
            assertTrue(out.contains(attempt + "=") && !out.contains(attempt + "=0\n"), attempt + ": " + out);
        }
        long visible = Long.parseLong(out.lines().filter(l -> l.matches("\\d+")).findFirst().orElseThrow());
        assertTrue(visible < 10, "processes in sight: " + visible + "\n" + out);
        assertFalse(Files.exists(Path.of("/usr/evil")));
    }

    @Test
    void aRunawayCommandIsKilledAtItsLimitAndTheNextOneGetsAFreshShell() {
        start(Duration.ofSeconds(3), 64L << 20);
        shell("echo kept > kept.txt; export GONE=1");
        long shells = workspaces.shellsStarted();
        ToolResult slow = shell("sleep 600");
        assertTrue(slow.error(), slow.content());
        assertTrue(slow.content().contains("ran past its limit of 3 s and was killed"), slow.content());
        ToolResult bomb = shell("bomb() { bomb | bomb; }; bomb"); // held by the process limit until the time limit ends it
        assertTrue(bomb.error(), bomb.content());
        ToolResult after = shell("cat kept.txt; echo \"[$GONE]\"");
        assertEquals("exit 0\nkept\n[]", after.content());
        assertTrue(workspaces.shellsStarted() >= shells + 2);
        assertTrue(records.stream().anyMatch(l -> l.contains("sleep 600") && l.contains("stopped: the command ran"
                + " past its limit")), records.toString());
    }

    @Test
    void fillingTheDiskIsStopped() throws Exception {
        start(Duration.ofSeconds(30), 16L << 20);
        ToolResult big = shell("head -c 100M /dev/zero > big.bin; echo status=$?; stat -c %s big.bin");
        assertTrue(big.content().contains("status=153") || big.content().contains("File size limit exceeded"),
                big.content());
        assertTrue(Files.size(workspaces.folder("ten_1", "cnv_1").resolve("big.bin")) <= 16L << 20);
        ToolResult second = shell("head -c 10M /dev/zero > more.bin");
        assertTrue(second.error() && second.content().contains("over its limit"), second.content());
        ToolResult refused = shell("echo more > even-more.txt");
        assertTrue(refused.error() && refused.content().contains("over its limit of 16 MiB"), refused.content());
        ToolResult write = tool("workspace_write", "{\"path\":\"x.txt\",\"content\":\"x\"}");
        assertTrue(write.error() && write.content().contains("over its limit"), write.content());
        assertFalse(shell("rm big.bin more.bin").error());
        assertFalse(tool("workspace_write", "{\"path\":\"x.txt\",\"content\":\"x\"}").error());
        // many files each under the per-file limit: stopped while it runs, not after
        long start = System.nanoTime();
        ToolResult filling = shell("while true; do head -c 4M /dev/zero > f$RANDOM$RANDOM; done");
        assertTrue(filling.error() && filling.content().contains("filled the workspace past its limit"),
                filling.content());
        assertTrue((System.nanoTime() - start) / 1_000_000_000 < 10, "stopped late");
        assertTrue(records.stream().anyMatch(l -> l.contains("stopped: the command filled the workspace")),
                records.toString());
    }

    @Test
    void theNetworkReachesOnlyTheAllowedHostsThroughTheHub() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = "hello from the host".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            settings = new WorkspaceSettings(true, List.of("localhost"));
            start(Duration.ofSeconds(30), 64L << 20);
            int port = server.getAddress().getPort();
            ToolResult allowed = shell("curl -sS --max-time 10 http://localhost:" + port + "/x");
            assertEquals("exit 0\nhello from the host", allowed.content());
            ToolResult other = shell("curl -sS --max-time 10 -o /dev/null -w '%{http_code}' http://127.0.0.1:" + port
                    + "/x");
            assertTrue(other.content().endsWith("403"), other.content());
            ToolResult direct = shell("curl -sS --noproxy '*' --max-time 5 http://localhost:" + port + "/x");
            assertFalse(direct.content().contains("hello"), direct.content());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void offUnlessTheTenantTurnedItOn() {
        settings = WorkspaceSettings.OFF;
        start(Duration.ofSeconds(30), 64L << 20);
        assertTrue(workspaces.tools("ten_1").isEmpty());
    }

}
