/**
 * What browsers load from the hub: the widget script ({@link dev.clawless.server.web.WidgetAssets}) and the embedded
 * hub's demo site ({@link dev.clawless.server.web.DemoSite}).
 */
package dev.clawless.server.web;
