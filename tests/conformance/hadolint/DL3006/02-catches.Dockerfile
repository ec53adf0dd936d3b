FROM debian AS builder
