# Build a static Veileder binary and run it in a small image.
FROM golang:1.26 AS build
WORKDIR /src
# The service's own module only: the browser tests live in a module of
# their own (e2e/), so that their dependencies are never fetched here.
ENV GOWORK=off
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /veileder ./cmd/veileder

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /veileder /veileder
ENV VEILEDER_LISTEN=0.0.0.0:8080 VEILEDER_DATA_DIR=/data
EXPOSE 8080
ENTRYPOINT ["/veileder"]
CMD ["serve"]
