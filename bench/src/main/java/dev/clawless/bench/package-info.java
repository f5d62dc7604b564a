/** Load drivers that measure a running hub from outside its process. */
package dev.clawless.bench;
