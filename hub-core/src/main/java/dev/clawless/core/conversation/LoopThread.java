package dev.clawless.core.conversation;

/**
 * A node's one background thread of a kind (the inbound writer, the deriver): a named platform daemon thread that
 * runs its loop while {@link #running()}; {@link #stop()} asks it to end, interrupts it and waits up to 5 s.
 */
final class LoopThread {

    private final String name;
    private final Runnable loop;
    private volatile boolean running;
    private Thread thread;

    LoopThread(String name, Runnable loop) {
        this.name = name;
        this.loop = loop;
    }

    synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        thread = Thread.ofPlatform().name(name).daemon().unstarted(loop);
        thread.start();
    }

    boolean running() {
        return running;
    }

    synchronized void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
