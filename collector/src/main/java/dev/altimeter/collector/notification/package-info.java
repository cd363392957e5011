/**
 * The notification agent's input: oslo.messaging notifications as they come off RabbitMQ ({@link
 * dev.altimeter.collector.notification.Notification#parse}), and what cannot be processed ({@link
 * dev.altimeter.collector.notification.MalformedNotificationException}, dead-lettered with its
 * reason). Turning notifications into samples and events is in {@code .definition}.
 */
package dev.altimeter.collector.notification;
