package dev.clawless.core.conversation;

/** The job that sends an outbound message through its conversation's channel. */
public final class DeliveryRequest {

    /** Job kind; payload {@code {"tenant_id", "message_id"}}; queued per conversation, so replies keep their order. */
    public static final String JOB_KIND = "deliver";

    private DeliveryRequest() {
    }

    /** The queue key that keeps one conversation's deliveries in order. */
    public static String queueKey(String conversationId) {
        return JOB_KIND + ":" + conversationId;
    }
}
