package dev.clawless.core.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * Inside the sandbox: the HTTP proxy the child's JVM is pointed at, on the loopback of the sandbox's own network
 * namespace. It only carries bytes to the hub's {@link Egress} socket, where the decisions are made; the sandbox has
 * no other route out.
 */
public final class EgressForwarder {

    private EgressForwarder() {
    }

    /**
     * Runs a forwarder on its own (a workspace's shell starts one for its tools' proxy settings). Arguments: the hub's
     * egress socket, the loopback port to listen on.
     */
    public static void main(String[] args) throws Exception {
        start(Path.of(args[0]), Integer.parseInt(args[1]));
        Thread.currentThread().join();
    }

    /** Listens on a free loopback port and returns it. */
    public static int start(Path hubSocket) throws IOException {
        return start(hubSocket, 0);
    }

    /** Listens on {@code port} of the loopback (0: a free one) and returns it. */
    public static int start(Path hubSocket, int port) throws IOException {
        ServerSocket server = new ServerSocket(port, 64, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().name("clawless-egress-forwarder").daemon(port == 0).start(() -> {
            while (true) {
                Socket client;
                try {
                    client = server.accept();
                } catch (IOException e) {
                    return;
                }
                Thread.ofVirtual().start(() -> bridge(client, hubSocket));
            }
        });
        return server.getLocalPort();
    }

    private static void bridge(Socket client, Path hubSocket) {
        try (client; SocketChannel hub = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            hub.connect(UnixDomainSocketAddress.of(hubSocket));
            InputStream fromHub = Channels.newInputStream(hub);
            OutputStream toHub = Channels.newOutputStream(hub);
            Thread back = Thread.ofVirtual().start(() -> {
                copy(fromHub, out(client));
                try {
                    client.shutdownOutput();
                } catch (IOException ignored) {
                    // already closed
                }
            });
            copy(client.getInputStream(), toHub);
            hub.shutdownOutput();
            back.join();
        } catch (IOException | InterruptedException ignored) {
            // the request fails in the plugin with the I/O error
        }
    }

    private static OutputStream out(Socket s) {
        try {
            return s.getOutputStream();
        } catch (IOException e) {
            return OutputStream.nullOutputStream();
        }
    }

    private static void copy(InputStream in, OutputStream out) {
        try {
            in.transferTo(out);
            out.flush();
        } catch (IOException ignored) {
            // one side closed
        }
    }
}
